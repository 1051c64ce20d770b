# mk/probe-dns.mk
