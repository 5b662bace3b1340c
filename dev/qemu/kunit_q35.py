# SPDX-License-Identifier: GPL-2.0
# kunit.py --qemu_config for the series: the test kernel on the same machine
# as the boot tests (TCG, q35, VT-d interrupt remapping, edu, e1000e, nec-usb-xhci),
# bare metal as far as the CPU tells (no hypervisor CPUID bit).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 panic=-1',
			   extra_qemu_params=['-accel', 'tcg', '-M', 'q35',
					      '-cpu', 'max,hypervisor=off', '-smp', '2',
					      '-bios', 'qboot.rom',
					      '-device', 'intel-iommu,intremap=on',
					      '-device', 'edu,dma_mask=0xffffffff',
					      '-device', 'e1000e,netdev=n0',
					      '-device', 'nec-usb-xhci',
					      '-netdev', 'user,id=n0,restrict=on'])
