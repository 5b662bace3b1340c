/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM msi_table

#if !defined(_TRACE_MSI_TABLE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MSI_TABLE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

TRACE_EVENT(msi_table_create,
	    TP_PROTO(struct device *dev, unsigned int id, unsigned int hwsize,
		     const char *domain),
	    TP_ARGS(dev, id, hwsize, domain),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, id)
			     __field(unsigned int, hwsize)
			     __string(domain, domain)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->id = id;
			   __entry->hwsize = hwsize;
			   __assign_str(domain);),
	    TP_printk("dev=%s table=%u hwsize=%u domain=%s", __get_str(dev),
		      __entry->id, __entry->hwsize, __get_str(domain))
);

TRACE_EVENT(msi_table_free,
	    TP_PROTO(struct device *dev, unsigned int id, unsigned int leaked),
	    TP_ARGS(dev, id, leaked),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, id)
			     __field(unsigned int, leaked)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->id = id;
			   __entry->leaked = leaked;),
	    TP_printk("dev=%s table=%u leaked=%u", __get_str(dev), __entry->id,
		      __entry->leaked)
);

DECLARE_EVENT_CLASS(msi_table_vector,
		    TP_PROTO(struct device *dev, unsigned int id, unsigned int label,
			     unsigned int irq),
		    TP_ARGS(dev, id, label, irq),
		    TP_STRUCT__entry(__string(dev, dev_name(dev))
				     __field(unsigned int, id)
				     __field(unsigned int, label)
				     __field(unsigned int, irq)),
		    TP_fast_assign(__assign_str(dev);
				   __entry->id = id;
				   __entry->label = label;
				   __entry->irq = irq;),
		    TP_printk("dev=%s table=%u label=%u irq=%u", __get_str(dev),
			      __entry->id, __entry->label, __entry->irq)
);

DEFINE_EVENT(msi_table_vector, msi_table_vector_alloc,
	     TP_PROTO(struct device *dev, unsigned int id, unsigned int label,
		      unsigned int irq),
	     TP_ARGS(dev, id, label, irq)
);

DEFINE_EVENT(msi_table_vector, msi_table_vector_free,
	     TP_PROTO(struct device *dev, unsigned int id, unsigned int label,
		      unsigned int irq),
	     TP_ARGS(dev, id, label, irq)
);

#endif /* _TRACE_MSI_TABLE_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
