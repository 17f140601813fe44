"""Small client-side tools the self-test runs inside the client namespace, where no standard
command does the job: an SSDP search, a STUN query, and counting DHCP servers."""
