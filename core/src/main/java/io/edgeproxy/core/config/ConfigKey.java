package io.edgeproxy.core.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every configuration key: its environment variable (the original's names where it had one), its
 * command-line flag, its default and its help. This one table drives parsing, {@code --help} and
 * {@code docs/config.md}. Sources layer as defaults, then environment, then flags.
 */
public enum ConfigKey {
  LISTEN_ADDR("EDGEPROXY_LISTEN_ADDR", "--listen", "0.0.0.0:8080", Kind.ADDRESS,
      "Address of the default proxy listener (host:port)."),
  APP("EDGEPROXY_APP", "--app", "*", Kind.NAME_OR_ANY,
      "App served by the default listener; '*' serves every app's backends, as the original did."),
  LISTENERS("EDGEPROXY_LISTENERS", "--listeners", "", Kind.LISTENERS,
      "More listeners, one app each: app=host:port[,app=host:port...]."),
  ADMIN_ADDR("EDGEPROXY_ADMIN_ADDR", "--admin", "127.0.0.1:8082", Kind.OPTIONAL_ADDRESS,
      "Local admin endpoint (status JSON, Prometheus metrics) for the CLI and monitoring; empty turns it off."),
  DB_PATH("EDGEPROXY_DB_PATH", "--db", "routing.db", Kind.PATH,
      "Path of routing.db (created and migrated if needed)."),
  REGION("EDGEPROXY_REGION", "--region", "sa", Kind.REGION,
      "Region of this POP; must be a region of the region map (default sa, us, eu, ap)."),
  DB_RELOAD_SECS("EDGEPROXY_DB_RELOAD_SECS", "--db-reload-secs", "5", Kind.POSITIVE_SECONDS,
      "How often routing.db is checked for changes made by other writers (seconds); while replication runs, only other"
          + " processes' commits (the CLI, `sqlite3`) count, since replication applies its own changes as it makes them."),
  BINDING_TTL_SECS("EDGEPROXY_BINDING_TTL_SECS", "--binding-ttl-secs", "600", Kind.SECONDS,
      "Client affinity: idle time after which a client's binding is forgotten (seconds; 0 disables affinity)."),
  BINDING_GC_INTERVAL_SECS("EDGEPROXY_BINDING_GC_INTERVAL_SECS", "--binding-gc-interval-secs", "60", Kind.POSITIVE_SECONDS,
      "How often expired bindings are purged (seconds)."),
  BINDING_MAX("EDGEPROXY_BINDING_MAX", "--binding-max", "1000000", Kind.POSITIVE_INT,
      "Most client bindings kept; the least recently used go first."),
  GEOIP_PATH("EDGEPROXY_GEOIP_PATH", "--geoip", "", Kind.OPTIONAL_PATH,
      "A GeoLite2/GeoIP2 Country .mmdb to use instead of the embedded database."),
  CONNECT_TIMEOUT_MS("EDGEPROXY_CONNECT_TIMEOUT_MS", "--connect-timeout-ms", "3000", Kind.POSITIVE_MILLIS,
      "Backend connect timeout before failing over to the next-best backend (milliseconds)."),
  CONNECT_ATTEMPTS("EDGEPROXY_CONNECT_ATTEMPTS", "--connect-attempts", "3", Kind.POSITIVE_INT,
      "Backends tried per client connection before giving up."),
  EJECT_AFTER_FAILURES("EDGEPROXY_EJECT_AFTER_FAILURES", "--eject-after-failures", "3", Kind.NON_NEGATIVE_INT,
      "Consecutive connect failures that eject a backend on this POP (0 = never)."),
  EJECT_SECS("EDGEPROXY_EJECT_SECS", "--eject-secs", "10", Kind.POSITIVE_SECONDS,
      "How long an ejected backend gets no new clients (seconds)."),
  IDLE_TIMEOUT_SECS("EDGEPROXY_IDLE_TIMEOUT_SECS", "--idle-timeout-secs", "3600", Kind.SECONDS,
      "Close a proxied connection after this long with no traffic either way (seconds; 0 = never)."),
  DRAIN_SECS("EDGEPROXY_DRAIN_SECS", "--drain-secs", "10", Kind.SECONDS,
      "On shutdown, stop accepting and wait this long for open connections to finish (seconds)."),
  TRANSPORT("EDGEPROXY_TRANSPORT", "--transport", "auto", Kind.TRANSPORT,
      "Socket I/O: io_uring, nio, or auto (io_uring where the kernel allows it, else nio)."),
  IO_THREADS("EDGEPROXY_IO_THREADS", "--io-threads", "0", Kind.NON_NEGATIVE_INT,
      "Proxy I/O threads; 0 means one per CPU."),
  REPLICATION_ENABLED("EDGEPROXY_REPLICATION_ENABLED", "--replication", "false", Kind.BOOLEAN,
      "Join a cluster of POPs and keep routing.db converged with theirs."),
  REPLICATION_NODE_ID("EDGEPROXY_REPLICATION_NODE_ID", "--node-id", "", Kind.OPTIONAL_NAME,
      "This POP's node id; empty: the id remembered in routing.db, or a new random one."),
  REPLICATION_GOSSIP_ADDR("EDGEPROXY_REPLICATION_GOSSIP_ADDR", "--gossip-addr", "0.0.0.0:4001", Kind.ADDRESS,
      "Membership (SWIM gossip, TCP) listen address: that host only (0.0.0.0 or [::] for every interface)."),
  REPLICATION_TRANSPORT_ADDR("EDGEPROXY_REPLICATION_TRANSPORT_ADDR", "--transport-addr", "0.0.0.0:4002", Kind.ADDRESS,
      "Change-stream (QUIC, UDP) listen address."),
  REPLICATION_ADVERTISE_HOST("EDGEPROXY_REPLICATION_ADVERTISE_HOST", "--advertise-host", "", Kind.OPTIONAL_HOST,
      "Host or IP other POPs use to reach this one; empty: the listen host, or this machine's first non-loopback address."),
  REPLICATION_BOOTSTRAP_PEERS("EDGEPROXY_REPLICATION_BOOTSTRAP_PEERS", "--bootstrap-peers", "", Kind.PEERS,
      "Gossip addresses of POPs to join through: host:port[,host:port...] (host names allowed)."),
  REPLICATION_CLUSTER_NAME("EDGEPROXY_REPLICATION_CLUSTER_NAME", "--cluster-name", "edgeproxy", Kind.NAME,
      "Cluster name; nodes of another cluster are refused."),
  REPLICATION_CLUSTER_KEY("EDGEPROXY_REPLICATION_CLUSTER_KEY", "--cluster-key", "", Kind.OPTIONAL_SECRET,
      "Shared gossip key, 32 bytes in base64 (edgeproxy certs init writes one); empty: read cluster.key in the TLS directory."),
  REPLICATION_TLS_DIR("EDGEPROXY_REPLICATION_TLS_DIR", "--tls-dir", "", Kind.OPTIONAL_PATH,
      "Directory with ca.crt, <node-id>.crt and <node-id>.key for the change-stream's mutual TLS (edgeproxy certs init)."),
  REPLICATION_SYNC_INTERVAL_MS("EDGEPROXY_REPLICATION_SYNC_INTERVAL_MS", "--sync-interval-ms", "2000", Kind.POSITIVE_MILLIS,
      "How often anti-entropy compares routing.db with a peer and repairs differences (milliseconds)."),
  REPLICATION_GOSSIP_INTERVAL_MS("EDGEPROXY_REPLICATION_GOSSIP_INTERVAL_MS", "--gossip-interval-ms", "200", Kind.POSITIVE_MILLIS,
      "SWIM gossip period (milliseconds); failure-detector pings run every 5 periods, time out after 2.5."),
  REPLICATION_TOMBSTONE_TTL_SECS("EDGEPROXY_REPLICATION_TOMBSTONE_TTL_SECS", "--tombstone-ttl-secs", "604800", Kind.POSITIVE_SECONDS,
      "How long deletes are remembered (seconds, at least 10 sync intervals); a POP cut off for longer rejoins from a peer's"
          + " copy and reports the local changes it drops."),
  REPLICATION_MAX_CLOCK_SKEW_MS("EDGEPROXY_REPLICATION_MAX_CLOCK_SKEW_MS", "--max-clock-skew-ms", "500", Kind.POSITIVE_MILLIS,
      "Clock offset tolerated between POPs (milliseconds); a peer further off is flagged, and changes stamped further ahead"
          + " than this are held until this POP's clock reaches them."),
  WG_ENABLED("EDGEPROXY_WG_ENABLED", "--wg", "false", Kind.BOOLEAN,
      "Build a WireGuard mesh with the other POPs (needs replication, CAP_NET_ADMIN and kernel WireGuard or wireguard-go, and"
          + " wg from wireguard-tools): a key pair made on first start, the public key published signed by this POP's node"
          + " certificate, one peer per other POP kept up to date."),
  WG_ADDRESS("EDGEPROXY_WG_ADDRESS", "--wg-address", "", Kind.OPTIONAL_INTERFACE_ADDRESS,
      "This POP's overlay address with the overlay's prefix, IPv4 or IPv6 (e.g. 10.50.0.1/16 or fdaa:0:1::1/48);"
          + " required when EDGEPROXY_WG_ENABLED is on."),
  WG_LISTEN_PORT("EDGEPROXY_WG_LISTEN_PORT", "--wg-listen-port", "51820", Kind.PORT,
      "UDP port of the WireGuard interface; other POPs reach it at the advertise host."),
  WG_INTERFACE("EDGEPROXY_WG_INTERFACE", "--wg-interface", "wg0", Kind.INTERFACE_NAME,
      "Name of the WireGuard interface the agent creates and owns (an existing interface it did not create is never"
          + " touched: start fails instead)."),
  WG_SUBNETS("EDGEPROXY_WG_SUBNETS", "--wg-subnets", "", Kind.NETWORKS,
      "Backend networks behind this POP (e.g. 10.50.1.0/24), routed to it through the mesh by every other POP."),
  WG_MANAGE_INTERFACE("EDGEPROXY_WG_MANAGE_INTERFACE", "--wg-manage-interface", "true", Kind.BOOLEAN,
      "true: the agent creates and keeps the WireGuard interface; false: it only publishes this POP's signed announcement, and"
          + " the operator runs the interface (edgeproxy wireguard config prints its wg-quick file)."),
  API_ENABLED("EDGEPROXY_API_ENABLED", "--api", "false", Kind.BOOLEAN,
      "Serve the auto-discovery HTTP API (register, heartbeat, deregister; bearer tokens); on in demo mode."),
  API_LISTEN_ADDR("EDGEPROXY_API_LISTEN_ADDR", "--api-listen", "127.0.0.1:8081", Kind.ADDRESS,
      "Discovery API listen address (host:port)."),
  API_TLS("EDGEPROXY_API_TLS", "--api-tls", "false", Kind.BOOLEAN,
      "Serve the discovery API over TLS (1.2 and 1.3 only) with EDGEPROXY_TLS_CERT/_KEY, or a self-signed certificate made at"
          + " start when they are empty, so bearer tokens never cross the network in clear."),
  TLS_ENABLED("EDGEPROXY_TLS_ENABLED", "--tls", "false", Kind.BOOLEAN,
      "Serve the HTTPS edge: one TLS listener for every app, routed by the ClientHello's server name (SNI)."),
  TLS_LISTEN_ADDR("EDGEPROXY_TLS_LISTEN_ADDR", "--tls-listen", "0.0.0.0:8443", Kind.ADDRESS,
      "The HTTPS edge's listen address (host:port)."),
  HTTP_LISTEN_ADDR("EDGEPROXY_HTTP_LISTEN_ADDR", "--http-listen", "", Kind.OPTIONAL_ADDRESS,
      "Plain HTTP listener of the HTTPS edge (host:port, usually port 80): requests are routed by Host like names on the"
          + " HTTPS edge and answered 308 to the same URL over HTTPS, or served in plain HTTP for an app in HTTP mode whose"
          + " apps.http_redirect is 0; empty turns it off. Needs EDGEPROXY_TLS_ENABLED."),
  DOMAIN("EDGEPROXY_DOMAIN", "--domain", "", Kind.OPTIONAL_DNS_NAME,
      "On the HTTPS edge, <app>.<domain> reaches app <app> with no further setup; empty: only table hostnames routes names."),
  TLS_CERTS_DIR("EDGEPROXY_TLS_CERTS_DIR", "--tls-certs-dir", "", Kind.OPTIONAL_DIR,
      "Directory of more certificates for the HTTPS edge: NAME.crt (PEM chain) with NAME.key, served for the names the"
          + " certificate covers; changes apply within a second."),
  TLS_PROVIDER("EDGEPROXY_TLS_PROVIDER", "--tls-provider", "auto", Kind.TLS_PROVIDER,
      "TLS implementation of the HTTPS edge: openssl (BoringSSL, bundled), jdk, or auto (openssl where its native library"
          + " loads, else jdk)."),
  TLS_HELLO_TIMEOUT_MS("EDGEPROXY_TLS_HELLO_TIMEOUT_MS", "--tls-hello-timeout-ms", "10000", Kind.POSITIVE_MILLIS,
      "A client of the HTTPS edge that has not sent its whole ClientHello, or finished the handshake, this long after"
          + " connecting is closed (milliseconds)."),
  HTTP_BACKEND_TIMEOUT_MS("EDGEPROXY_HTTP_BACKEND_TIMEOUT_MS", "--http-backend-timeout-ms", "60000", Kind.POSITIVE_MILLIS,
      "Apps in HTTP mode: a backend that has not started its response this long after the request was sent is answered"
          + " for with 504 Gateway Timeout (milliseconds)."),
  TCP_ACCESS_LOG("EDGEPROXY_TCP_ACCESS_LOG", "--tcp-access-log", "false", Kind.BOOLEAN,
      "Apps in TCP mode (and TLS passthrough): one access log line per proxied connection when it closes (logger edgeproxy.access:"
          + " client, app, backend, bytes to and from the backend, milliseconds, outcome)."),
  HTTP_ACCESS_LOG("EDGEPROXY_HTTP_ACCESS_LOG", "--http-access-log", "true", Kind.BOOLEAN,
      "Apps in HTTP mode: one access log line per request (logger edgeproxy.access: client, host, method, path, status,"
          + " bytes, milliseconds, app, backend)."),
  CACHE_MEMORY_BYTES("EDGEPROXY_CACHE_MEMORY_BYTES", "--cache-memory-bytes", "268435456", Kind.BYTES,
      "Apps in HTTP mode with apps.cache = 1: bytes of responses the edge cache keeps in memory (least useful dropped first);"
          + " bodies above 1/16 of it are kept on disk only."),
  CACHE_MAX_OBJECT_BYTES("EDGEPROXY_CACHE_MAX_OBJECT_BYTES", "--cache-max-object-bytes", "8388608", Kind.BYTES,
      "Apps in HTTP mode with apps.cache = 1: a response body larger than this is relayed, not stored."),
  CACHE_DIR("EDGEPROXY_CACHE_DIR", "--cache-dir", "", Kind.OPTIONAL_DATA_DIR,
      "Apps in HTTP mode with apps.cache = 1: the edge cache's disk tier (made if missing; one file per response, kept"
          + " across restarts); empty: memory only."),
  CACHE_MAX_BYTES("EDGEPROXY_CACHE_MAX_BYTES", "--cache-max-bytes", "10g", Kind.BYTES,
      "Bytes of files the disk tier (EDGEPROXY_CACHE_DIR) keeps; the least useful go first."),
  ACME_DIRECTORY("EDGEPROXY_ACME_DIRECTORY", "--acme-directory", "", Kind.OPTIONAL_URL,
      "ACME server directory URL (e.g. https://acme-v02.api.letsencrypt.org/directory): names under EDGEPROXY_DOMAIN and"
          + " in table hostnames get certificates by HTTP-01, renewed 30 days before expiry; empty: off. Needs"
          + " EDGEPROXY_HTTP_LISTEN_ADDR (reachable on port 80)."),
  ACME_EMAIL("EDGEPROXY_ACME_EMAIL", "--acme-email", "", Kind.OPTIONAL_EMAIL,
      "Contact address of the ACME account (expiry warnings); empty: none."),
  ACME_CA_CERTS("EDGEPROXY_ACME_CA_CERTS", "--acme-ca-certs", "", Kind.OPTIONAL_FILE,
      "PEM certificates trusted for the ACME server's HTTPS, besides the JDK's (a private or test CA); empty: the JDK's only."),
  TUNNEL_ENABLED("EDGEPROXY_TUNNEL_ENABLED", "--tunnels", "false", Kind.BOOLEAN,
      "Accept device tunnels (edgeproxy tunnel run): agents behind NAT connect here over QUIC with a token of their app, and"
          + " serve it as a backend. Needs EDGEPROXY_TLS_ENABLED (agents verify the HTTPS edge's default certificate)."),
  TUNNEL_LISTEN_ADDR("EDGEPROXY_TUNNEL_LISTEN_ADDR", "--tunnel-listen", "0.0.0.0:4443", Kind.ADDRESS,
      "The device tunnels' listen address (host:port, UDP)."),
  TLS_CERT("EDGEPROXY_TLS_CERT", "--tls-cert", "", Kind.OPTIONAL_FILE,
      "PEM certificate chain: the HTTPS edge's default certificate and the discovery API's (EDGEPROXY_API_TLS); empty: a"
          + " self-signed certificate made at start, its key never written to disk."),
  TLS_KEY("EDGEPROXY_TLS_KEY", "--tls-key", "", Kind.OPTIONAL_FILE,
      "PEM private key (PKCS#8, or PKCS#1/SEC1) of EDGEPROXY_TLS_CERT; set both or neither."),
  HEARTBEAT_TTL_SECS("EDGEPROXY_HEARTBEAT_TTL_SECS", "--heartbeat-ttl-secs", "60", Kind.POSITIVE_SECONDS,
      "A registered backend without a heartbeat for this long is marked unhealthy on every POP (seconds)."),
  DEREGISTER_AFTER_SECS("EDGEPROXY_DEREGISTER_AFTER_SECS", "--deregister-after-secs", "600", Kind.POSITIVE_SECONDS,
      "A registration still without a heartbeat this long after its TTL ran out is left out of routing and listings on every"
          + " POP; a later heartbeat brings it back (seconds)."),
  DNS_ENABLED("EDGEPROXY_DNS_ENABLED", "--dns", "false", Kind.BOOLEAN,
      "Serve the .internal DNS zone (UDP and TCP) from the routing snapshot; on in demo mode."),
  DNS_LISTEN_ADDR("EDGEPROXY_DNS_LISTEN_ADDR", "--dns-listen", "0.0.0.0:5353", Kind.ADDRESS,
      "DNS listen address, UDP and TCP (host:port)."),
  DNS_DOMAIN("EDGEPROXY_DNS_DOMAIN", "--dns-domain", "internal", Kind.DNS_ZONE,
      "The zone the DNS server answers for; names outside it are refused, or forwarded (see EDGEPROXY_DNS_UPSTREAMS)."),
  DNS_TTL_SECS("EDGEPROXY_DNS_TTL_SECS", "--dns-ttl-secs", "5", Kind.SECONDS,
      "TTL of DNS answers, and of negative answers through the SOA (seconds)."),
  DNS_RATE_LIMIT("EDGEPROXY_DNS_RATE_LIMIT", "--dns-rate-limit", "1000", Kind.NON_NEGATIVE_INT,
      "UDP responses per second to one source /24 (IPv4) or /56 (IPv6), burst of one second's worth; 0 turns the limit off."),
  DNS_UPSTREAMS("EDGEPROXY_DNS_UPSTREAMS", "--dns-upstreams", "", Kind.UPSTREAMS,
      "Resolvers that names outside the zone are forwarded to, tried in order (like Consul's recursors); empty: nothing is forwarded, such names are refused."),
  DNS_ALLOW_FROM("EDGEPROXY_DNS_ALLOW_FROM", "--dns-allow-from", Defaults.PRIVATE_NETWORKS, Kind.NETWORKS,
      "Clients (CIDRs) the DNS server answers at all; any other client gets REFUSED for every query (as BIND's allow-query). Empty: nobody."),
  DNS_FORWARD_FROM("EDGEPROXY_DNS_FORWARD_FROM", "--dns-forward-from", Defaults.PRIVATE_NETWORKS, Kind.NETWORKS,
      "Clients (CIDRs) whose queries for names outside the zone are forwarded (they must be in EDGEPROXY_DNS_ALLOW_FROM too); other clients get REFUSED, so the server is never an open resolver."),
  DNS_UPSTREAM_TIMEOUT_MS("EDGEPROXY_DNS_UPSTREAM_TIMEOUT_MS", "--dns-upstream-timeout-ms", "1000", Kind.POSITIVE_MILLIS,
      "How long one upstream resolver may take to answer a forwarded query before the next is tried (milliseconds)."),
  LOG_FORMAT("EDGEPROXY_LOG_FORMAT", "--log-format", "text", Kind.LOG_FORMAT,
      "Log lines on stderr: text (ISO 8601 time with offset, level, logger, message) or json (one object per line, Logstash's"
          + " fields; access log lines carry their fields as keys)."),
  DEBUG("DEBUG", "--debug", "false", Kind.BOOLEAN,
      "Log at DEBUG level (set at all = on, except 0/false/no/off).");

  /** Default values shared by several keys (an enum constant cannot name a field of its own enum). */
  private static final class Defaults {
    /**
     * Loopback, RFC 1918, shared address space (RFC 6598: carrier NAT, and the meshes that use it,
     * Tailscale's among them) and unique-local networks: the clients an internal resolver serves.
     */
    static final String PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7";
  }

  private final String env;
  private final String flag;
  private final String defaultValue;
  private final Kind kind;
  private final String help;

  ConfigKey(String env, String flag, String defaultValue, Kind kind, String help) {
    this.env = env;
    this.flag = flag;
    this.defaultValue = defaultValue;
    this.kind = kind;
    this.help = help;
  }

  public String env() {
    return env;
  }

  public String flag() {
    return flag;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public Kind kind() {
    return kind;
  }

  public String help() {
    return help;
  }

  /** The key whose flag is {@code flag} (with leading dashes). */
  public static Optional<ConfigKey> byFlag(String flag) {
    return Arrays.stream(values()).filter(k -> k.flag.equals(flag)).findFirst();
  }

  /** What a value of the key must look like; the text goes into error messages. */
  public enum Kind {
    ADDRESS("host:port, port 0-65535"),
    OPTIONAL_ADDRESS("empty, or host:port, port 0-65535"),
    LISTENERS("app=host:port[,app=host:port...]"),
    PATH("a file path"),
    OPTIONAL_PATH("a file path, or empty for the embedded database"),
    OPTIONAL_FILE("empty, or a readable file"),
    OPTIONAL_DIR("empty, or a directory"),
    OPTIONAL_DNS_NAME("empty, or a DNS name: labels of letters, digits, '-' or '_' (1-63 each) separated by '.'"),
    OPTIONAL_URL("empty, or an https:// or http:// URL with a host"),
    OPTIONAL_EMAIL("empty, or an e-mail address (name@domain)"),
    REGION("a region code: lower-case letters, digits or '-', 1-32 characters"),
    NAME_OR_ANY("an app name (letters, digits, '.', '_', '-') or '*'"),
    NAME("a name: letters, digits, '.', '_' or '-', 1-128 characters"),
    OPTIONAL_NAME("empty, or a name: letters, digits, '.', '_' or '-', 1-128 characters"),
    OPTIONAL_HOST("empty, or a host name or IP address"),
    PEERS("host:port[,host:port...]"),
    OPTIONAL_SECRET("empty, or 32 bytes in base64"),
    SECONDS("whole seconds >= 0"),
    POSITIVE_SECONDS("whole seconds >= 1"),
    POSITIVE_MILLIS("whole milliseconds >= 1"),
    POSITIVE_INT("an integer >= 1"),
    BYTES("bytes >= 1: a whole number, or one with k, m, g or t (powers of 1024), e.g. 512m"),
    OPTIONAL_DATA_DIR("empty, or a directory (made if missing)"),
    NON_NEGATIVE_INT("an integer >= 0"),
    BOOLEAN("true/false, 1/0, yes/no, on/off"),
    TRANSPORT("auto, io_uring or nio"),
    TLS_PROVIDER("auto, openssl or jdk"),
    LOG_FORMAT("text or json"),
    DNS_ZONE("a DNS name: labels of letters, digits, '-' or '_' (1-63 each) separated by '.', 1-200 characters"),
    UPSTREAMS("empty, or ip:port[,ip:port...] with IP literals ([v6]:port), port 1-65535"),
    NETWORKS("empty, or ip/prefix[,ip/prefix...] with IP literals, prefix 0-32 (IPv4) or 0-128 (IPv6)"),
    OPTIONAL_INTERFACE_ADDRESS("empty, or ip/prefix with an IP literal, e.g. 10.50.0.1/16 or fdaa:0:1::1/48"),
    PORT("a port, 1-65535"),
    INTERFACE_NAME("a network interface name: 1-15 letters, digits, '_', '-', '.', '=' or '+'");

    private final String expected;

    Kind(String expected) {
      this.expected = expected;
    }

    public String expected() {
      return expected;
    }

    public boolean isSecret() {
      return this == OPTIONAL_SECRET;
    }

    public boolean isFlagWithoutValue() {
      return this == BOOLEAN;
    }
  }
}
