# SPDX-License-Identifier: GPL-2.0
# kunit.py --qemu_config for the arm64 boot kernel (dev/arm64 kunit): the
# machine of the arm64 boot (TCG, virt with a GICv3 ITS, edu, e1000e,
# nec-usb-xhci); the kernel is dev/arm64 build's uncompressed Image.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image',
			   kernel_command_line='console=ttyAMA0 panic=-1',
			   extra_qemu_params=['-accel', 'tcg', '-M', 'virt,gic-version=3,its=on',
					      '-cpu', 'max', '-smp', '2',
					      '-device', 'edu,dma_mask=0xffffffff',
					      '-device', 'e1000e,netdev=n0',
					      '-device', 'nec-usb-xhci',
					      '-netdev', 'user,id=n0,restrict=on'])
