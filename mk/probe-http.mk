# mk/probe-http.mk
