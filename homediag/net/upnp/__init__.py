"""UPnP: the SSDP search, device descriptions (capped, entity-free XML), the IGD's SOAP actions and
the device records homediag keeps."""
