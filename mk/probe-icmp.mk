# mk/probe-icmp.mk
