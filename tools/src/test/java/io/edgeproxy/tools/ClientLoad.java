package io.edgeproxy.tools;

import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Clients that never pause: TCP clients open a connection through the proxy after another and read
 * the backend's name (TLS clients the same through the HTTPS edge); DNS clients send {@code web.internal A} over UDP after another. Every
 * attempt is counted by outcome ("tcp answered", "tcp refused", "tcp reset", "dns lost", ...).
 */
final class ClientLoad implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Failure> failed = java.util.Collections.synchronizedList(new ArrayList<>());

  /** An attempt that was not answered: when it ended, how, in which phase, and its local port (0: not connected). */
  private record Failure(java.time.Instant at, String outcome, String phase, int port) {
    @Override
    public String toString() {
      return at + " " + outcome + " (waiting for the " + phase + (port == 0 ? "" : ", client port " + port) + ")";
    }
  }

  ClientLoad(InetSocketAddress proxy, String backendName, int tcpClients, InetSocketAddress dns, int dnsClients) {
    this(proxy, backendName, tcpClients, dns, dnsClients, null, "", 0);
  }

  /** As above, plus {@code tlsClients} TLS clients of the HTTPS edge at {@code edge}, asking for {@code serverName}. */
  ClientLoad(InetSocketAddress proxy, String backendName, int tcpClients, InetSocketAddress dns, int dnsClients,
      InetSocketAddress edge, String serverName, int tlsClients) {
    for (int i = 0; i < tcpClients; i++) {
      threads.add(Thread.ofPlatform().name("tcp-client-" + i).start(() -> tcp(proxy, backendName, null)));
    }
    for (int i = 0; i < tlsClients; i++) {
      threads.add(Thread.ofPlatform().name("tls-client-" + i).start(() -> tcp(edge, backendName, serverName)));
    }
    for (int i = 0; i < dnsClients; i++) {
      threads.add(Thread.ofPlatform().name("dns-client-" + i).start(() -> dns(dns)));
    }
  }

  /**
   * Adds {@code clients} plain HTTP clients of {@code http} (one request per connection, Host
   * {@code host}: any response but a 5xx counts as answered) and {@code clients} DNS-over-TCP clients of
   * {@code dnsTcp}.
   */
  ClientLoad alsoHttpAndDnsOverTcp(InetSocketAddress http, String host, InetSocketAddress dnsTcp, int clients) {
    for (int i = 0; i < clients; i++) {
      threads.add(Thread.ofPlatform().name("http-client-" + i).start(() -> exchange("http", http,
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
          reply -> new String(reply, StandardCharsets.US_ASCII).matches("(?s)HTTP/1\\.1 [1-4].*"))));
      threads.add(Thread.ofPlatform().name("dns-tcp-client-" + i).start(() -> {
        byte[] query = webQuery(7);
        byte[] framed = new byte[query.length + 2];
        framed[1] = (byte) query.length;
        System.arraycopy(query, 0, framed, 2, query.length);
        exchange("dns-tcp", dnsTcp, framed, reply -> reply.length > 5 && (reply[5] & 0x0f) == 0);
      }));
    }
    return this;
  }

  /** Connections after another: send {@code request}, half-close, read to the end, judge the reply. */
  private void exchange(String kind, InetSocketAddress to, byte[] request, java.util.function.Predicate<byte[]> answered) {
    connections(kind, to, s -> {
      s.getOutputStream().write(request);
      s.shutdownOutput();
      return answered.test(s.getInputStream().readAllBytes());
    });
  }

  /**
   * Outcomes so far, by name, then when each attempt that was not answered ended (UTC, to match
   * the agents' logs), what it was and the client's port.
   */
  String outcomes() {
    Map<String, Long> out = new TreeMap<>();
    outcomes.forEach((k, v) -> out.put(k, v.sum()));
    synchronized (failed) {
      return out + (failed.isEmpty() ? "" : failed.stream().limit(20).map(Failure::toString)
          .collect(java.util.stream.Collectors.joining("; ", "; ", "")));
    }
  }

  long count(String outcome) {
    LongAdder n = outcomes.get(outcome);
    return n == null ? 0 : n.sum();
  }

  /** Attempts whose outcome was not an answer. */
  long failures() {
    return outcomes.entrySet().stream().filter(e -> !e.getKey().endsWith("answered")).mapToLong(e -> e.getValue().sum()).sum();
  }

  /** The local ports of the attempts that were not answered, once connected (to find them in an access log). */
  List<Integer> failedPorts() {
    synchronized (failed) {
      return failed.stream().map(Failure::port).filter(port -> port != 0).toList();
    }
  }

  private void failed(String outcome, String phase, int port) {
    add(outcome);
    failed.add(new Failure(java.time.Instant.now(), outcome, phase, port));
  }

  private void add(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  /** Connections after another: plain TCP, or TLS with {@code serverName} as SNI (any certificate trusted). */
  private void tcp(InetSocketAddress proxy, String backendName, @Nullable String serverName) {
    connections(serverName == null ? "tcp" : "tls", proxy, s -> {
      Socket stream = serverName == null ? s : tls(s, serverName);
      return new String(stream.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().equals(backendName);
    });
  }

  /** What one connection does; true when it was answered. */
  private interface Exchange {
    boolean run(Socket connected) throws IOException;
  }

  /** Connections to {@code to} after another until closed, each counted by its outcome. */
  private void connections(String kind, InetSocketAddress to, Exchange exchange) {
    while (running.get()) {
      String phase = "connect";
      int port = 0;
      try (Socket s = new Socket()) {
        s.connect(to, 2_000);
        phase = "answer";
        port = s.getLocalPort();
        s.setSoTimeout(2_000);
        if (exchange.run(s)) {
          add(kind + " answered");
        } else {
          failed(kind + " closed empty", phase, port);
        }
      } catch (ConnectException e) {
        failed(kind + " refused", phase, port);
      } catch (SocketTimeoutException e) {
        failed(kind + " lost", phase, port);
      } catch (SocketException e) {
        failed(kind + " reset", phase, port);
      } catch (IOException e) {
        failed(kind + " failed: " + e.getClass().getSimpleName(), phase, port);
      }
    }
  }

  private static Socket tls(Socket connected, String serverName) throws IOException {
    javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TRUST_ALL.getSocketFactory()
        .createSocket(connected, serverName, connected.getPort(), true);
    javax.net.ssl.SSLParameters params = tls.getSSLParameters();
    params.setServerNames(List.of(new javax.net.ssl.SNIHostName(serverName)));
    tls.setSSLParameters(params);
    tls.startHandshake();
    return tls;
  }

  private static final javax.net.ssl.SSLContext TRUST_ALL = trustAll();

  private static javax.net.ssl.SSLContext trustAll() {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void dns(InetSocketAddress server) {
    byte[] reply = new byte[512];
    int id = 0;
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2_000);
      while (running.get()) {
        id = (id + 1) & 0xffff;
        byte[] query = webQuery(id);
        socket.send(new DatagramPacket(query, query.length, server));
        try {
          DatagramPacket p;
          do {
            p = new DatagramPacket(reply, reply.length);
            socket.receive(p);
          } while ((((reply[0] & 0xff) << 8) | (reply[1] & 0xff)) != id);
          add((reply[3] & 0x0f) == 0 ? "dns answered" : "dns rcode " + (reply[3] & 0x0f));
        } catch (SocketTimeoutException e) {
          add("dns lost");
        }
      }
    } catch (IOException e) {
      add("dns failed: " + e.getClass().getSimpleName());
    }
  }

  /** web.internal A, header id {@code id}, one question. */
  private static byte[] webQuery(int id) {
    byte[] header = {(byte) (id >> 8), (byte) id, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    byte[] question = {3, 'w', 'e', 'b', 8, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', 0, 0, 1, 0, 1};
    byte[] q = new byte[header.length + question.length];
    System.arraycopy(header, 0, q, 0, header.length);
    System.arraycopy(question, 0, q, header.length, question.length);
    return q;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }
}
