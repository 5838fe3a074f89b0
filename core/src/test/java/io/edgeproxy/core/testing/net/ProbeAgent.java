package io.edgeproxy.core.testing.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ProbeAgentMain} JVM running inside one lab host, driven from the test: echo servers and
 * TCP/UDP probes that see the network as that host does. Every method blocks until the agent answers
 * (the probe's own duration plus a 30 s margin); calls are serialised. The agent's stderr goes to this
 * JVM's stderr; the lab kills the agent on close if {@link #close()} was not called.
 */
public final class ProbeAgent implements AutoCloseable {
  private static final Duration MARGIN = Duration.ofSeconds(30);

  private final Host host;
  private final Process process;
  private final PrintStream commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

  private ProbeAgent(Host host, Process process) {
    this.host = host;
    this.process = process;
    this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    String name = "probe-agent-" + host.name();
    Thread.ofVirtual().name(name + "-out").start(() -> forward(process.getInputStream(), null));
    Thread.ofVirtual().name(name + "-err").start(() -> forward(process.getErrorStream(), host.name()));
  }

  /** Starts the agent JVM in {@code host} and waits until it is ready (JVM start-up, about a second). */
  public static ProbeAgent start(Host host) {
    ProbeAgent agent = new ProbeAgent(host, host.startJava(ProbeAgentMain.class, List.of()));
    String first = agent.answer(Duration.ZERO);
    if (!first.equals("ready")) {
      agent.close();
      throw new IllegalStateException("probe agent in " + host + " said: " + first);
    }
    return agent;
  }

  /** Starts a TCP echo server on all of the host's addresses; returns the host's address and its port. */
  public InetSocketAddress tcpEcho(int port) {
    return new InetSocketAddress(host.address(), Integer.parseInt(call("tcp-echo " + port, Duration.ZERO)));
  }

  /** Starts a UDP echo server on all of the host's addresses; returns the host's address and its port. */
  public InetSocketAddress udpEcho(int port) {
    return new InetSocketAddress(host.address(), Integer.parseInt(call("udp-echo " + port, Duration.ZERO)));
  }

  /** Datagrams the UDP echo server on {@code port} has received so far. */
  public long udpReceived(int port) {
    return Long.parseLong(call("udp-received " + port, Duration.ZERO));
  }

  /** {@link TcpRoundTrip#measure}, run inside the host. */
  public TcpRoundTrip tcp(InetSocketAddress target, int bytes, Duration timeout) {
    String answer = call("tcp " + target.getAddress().getHostAddress() + " " + target.getPort() + " " + bytes + " "
        + timeout.toMillis(), timeout.multipliedBy(2));
    return TcpRoundTrip.fromLine(answer);
  }

  /** {@link UdpBurst#send}, run inside the host. */
  public UdpBurst udp(InetSocketAddress target, int count, Duration interval, Duration wait) {
    String answer = call("udp " + target.getAddress().getHostAddress() + " " + target.getPort() + " " + count + " "
        + interval.toNanos() / 1000 + " " + wait.toMillis(), interval.multipliedBy(count).plus(wait));
    return UdpBurst.fromLine(answer);
  }

  /** Asks the agent to exit, then kills it if it has not within 5 s. */
  @Override
  public void close() {
    commands.println("quit");
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private synchronized String call(String command, Duration expected) {
    commands.println(command);
    String answer = answer(expected);
    if (!answer.startsWith("ok ")) {
      throw new IllegalStateException("probe agent in " + host + ": " + command + " -> " + answer);
    }
    return answer.substring(3);
  }

  private String answer(Duration expected) {
    try {
      String line = answers.poll(expected.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new IllegalStateException("probe agent in " + host + " did not answer within " + expected.plus(MARGIN)
            + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the probe agent in " + host, e);
    }
  }

  private void forward(InputStream stream, @Nullable String errorPrefix) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (errorPrefix == null) {
          answers.add(line);
        } else {
          System.err.println("[" + errorPrefix + "] " + line);
        }
      }
    } catch (IOException e) {
      // The agent is gone; handled below.
    }
    if (errorPrefix == null) {
      answers.add("error: the agent's stdout ended (agent exited?)");
    }
  }
}
