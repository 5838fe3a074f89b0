package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's {@code hard_limit} holds for the whole cluster, not per POP: three POPs in their own
 * network namespaces, one backend (on the lab's gateway, reached by all three) that counts the
 * connections it holds at once, and clients that keep theirs open: a burst, demand moving to one
 * POP, a partition, a heal, a kill -9 and a restart. Before shares, each POP let {@code hard_limit}
 * through, so a burst through three POPs gave the backend three times its limit.
 */
@Timeout(300)
class HardLimitSharesIT {
  private static final int LIMIT = 12;

  @TempDir Path dir;

  @Test
  void aBurstThroughThreePopsStaysWithinTheLimitSharesFollowDemandAndAPartitionKeepsTheBound() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b", "pop-c")) {
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      FaultPops.Pop c = pops.pop("pop-c");
      HoldingBackend backend = pops.closeLater(new HoldingBackend(pops.lab.gateway()));
      pops.startAll();
      a.sql("INSERT INTO backends (id, app, region, wg_ip, port, soft_limit, hard_limit) VALUES ('lim-1', 'web', 'sa', '"
          + pops.lab.gateway().getHostAddress() + "', " + backend.port() + ", " + LIMIT + ", " + LIMIT + ");");
      for (FaultPops.Pop pop : pops.all()) {
        await().atMost(Duration.ofSeconds(15)).until(() -> Holder.admittedOnce(pop.proxy()));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.current() == 0);
      // Started POPs admit nothing until they have heard the others, then grow to their shares.
      long started = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        int shares = 0;
        for (FaultPops.Pop pop : pops.all()) {
          shares += pop.admin("/v1/backends").path("backends").get(0).path("limitHere").asInt();
        }
        return shares == LIMIT;
      });
      System.out.println("idle shares settled " + (System.nanoTime() - started) / 1_000_000 + " ms after the first clients");
      backend.resetMax();

      // 1. A burst: LIMIT clients through each POP at once, all held open.
      List<Holder> burst = new ArrayList<>();
      for (FaultPops.Pop pop : pops.all()) {
        burst.add(Holder.once(pop.proxy(), LIMIT));
      }
      int admitted = 0;
      for (Holder h : burst) {
        admitted += h.awaitDone();
      }
      System.out.println("burst: " + admitted + " of " + 3 * LIMIT + " clients admitted, backend max " + backend.max());
      assertThat(backend.max()).as("connections the backend held at once in a burst through three POPs").isLessThanOrEqualTo(LIMIT);
      assertThat(admitted).as("the limit is shared out, not wasted").isGreaterThanOrEqualTo(LIMIT - 2);
      burst.forEach(Holder::close);
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.current() == 0);

      // 2. All demand moves to pop-a: its share grows to nearly the whole limit.
      long moved = System.nanoTime();
      Holder atA = Holder.keep(a.proxy(), LIMIT);
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> atA.held() >= LIMIT - 2);
      System.out.println("demand moved to pop-a: it holds " + atA.held() + " after " + (System.nanoTime() - moved) / 1_000_000
          + " ms");
      assertThat(backend.max()).isLessThanOrEqualTo(LIMIT);
      assertThat(a.admin("/v1/backends").path("backends").get(0).path("limitHere").asInt()).isGreaterThanOrEqualTo(LIMIT - 2);
      assertThat(b.admin("/v1/backends").path("backends").get(0).path("limitHere").asInt()).isLessThanOrEqualTo(2);
      assertThat(b.metrics()).containsPattern("edge_proxy_backend_limit_here\\{[^}]*backend=\"lim-1\"[^}]*\\} [0-2]\\.0");

      // 3. pop-c is cut off from the other POPs (not from the backend) while clients try through all three.
      pops.lab.isolate(c.host);
      Holder atB = Holder.keep(b.proxy(), LIMIT);
      Holder atC = Holder.keep(c.proxy(), LIMIT);
      long cut = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      while (System.nanoTime() < cut) {
        assertThat(backend.current()).as("connections at the backend during the partition").isLessThanOrEqualTo(LIMIT);
        Thread.sleep(100);
      }
      System.out.println("partition: a " + atA.held() + ", b " + atB.held() + ", c " + atC.held() + ", backend max "
          + backend.max());
      assertThat(backend.max()).isLessThanOrEqualTo(LIMIT);
      assertThat(atC.held()).as("the cut-off POP uses at most an even split").isLessThanOrEqualTo(LIMIT / 3);

      // 4. Healed, and pop-a's clients leave: the others take the freed capacity, evenly.
      pops.lab.rejoin(c.host);
      atA.close();
      long healed = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> atB.held() + atC.held() >= LIMIT - 1 && atB.held() >= LIMIT / 3 && atC.held() >= LIMIT / 3);
      System.out.println("healed: b " + atB.held() + ", c " + atC.held() + " after " + (System.nanoTime() - healed) / 1_000_000
          + " ms, backend max " + backend.max());
      assertThat(backend.max()).isLessThanOrEqualTo(LIMIT);

      // 5. kill -9 of pop-c, and a restart, while clients keep trying everywhere: the restarted POP
      // takes nothing before it has heard what the others hold.
      c.kill();
      atC.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.current() <= atB.held());
      Holder atA2 = Holder.keep(a.proxy(), LIMIT);
      c.start();
      Holder atC2 = Holder.keep(c.proxy(), LIMIT);
      long restarted = System.nanoTime();
      while (System.nanoTime() - restarted < Duration.ofSeconds(12).toNanos()
          || atA2.held() + atB.held() + atC2.held() < LIMIT - 2) {
        assertThat(backend.current()).as("connections at the backend after a POP restarted").isLessThanOrEqualTo(LIMIT);
        assertThat(System.nanoTime() - restarted).as("the limit is used again after the restart")
            .isLessThan(Duration.ofSeconds(40).toNanos());
        Thread.sleep(100);
      }
      System.out.println("restart: a " + atA2.held() + ", b " + atB.held() + ", c " + atC2.held() + ", backend max " + backend.max()
          + ", limit in use again " + (System.nanoTime() - restarted) / 1_000_000 + " ms after the restarted POP answered");
      assertThat(backend.max()).isLessThanOrEqualTo(LIMIT);
      atA2.close();
      atB.close();
      atC2.close();
    }
  }

  /** A backend that greets every client with "in", holds the connection until the client closes, and counts them. */
  static final class HoldingBackend implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();

    HoldingBackend(InetAddress address) throws IOException {
      server = new ServerSocket(0, 200, address);
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            Thread.ofVirtual().start(() -> hold(s));
          } catch (IOException e) {
            // closed
          }
        }
      });
    }

    private void hold(Socket s) {
      max.accumulateAndGet(current.incrementAndGet(), Math::max);
      try (s) {
        s.getOutputStream().write("in\n".getBytes(StandardCharsets.US_ASCII));
        s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException e) {
        // the client went
      } finally {
        current.decrementAndGet();
      }
    }

    int port() {
      return server.getLocalPort();
    }

    int current() {
      return current.get();
    }

    int max() {
      return max.get();
    }

    void resetMax() {
      max.set(current.get());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /**
   * Clients of one POP's proxy that hold every connection the backend accepted: either one attempt
   * each ({@link #once}), or kept at {@code want} by retrying refused ones every 100 ms ({@link #keep}).
   */
  static final class Holder implements AutoCloseable {
    private final InetSocketAddress proxy;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private Holder(InetSocketAddress proxy) {
      this.proxy = proxy;
    }

    static Holder once(InetSocketAddress proxy, int clients) {
      Holder h = new Holder(proxy);
      for (int i = 0; i < clients; i++) {
        h.threads.add(Thread.ofVirtual().start(() -> {
          Socket s = h.tryOne();
          if (s != null) {
            h.held.add(s);
          }
        }));
      }
      return h;
    }

    static Holder keep(InetSocketAddress proxy, int want) {
      Holder h = new Holder(proxy);
      for (int i = 0; i < want; i++) {
        h.threads.add(Thread.ofVirtual().start(() -> {
          while (h.running.get()) {
            Socket s = h.tryOne();
            if (s != null && h.running.get()) {
              h.held.add(s);
              return;
            }
            closeQuietly(s);
            sleep(100);
          }
        }));
      }
      return h;
    }

    /** True if one client got through to the backend (and is closed again). */
    static boolean admittedOnce(InetSocketAddress proxy) {
      Socket s = new Holder(proxy).tryOne();
      closeQuietly(s);
      return s != null;
    }

    /** One connection that the backend greeted, or null (refused, closed, timed out). */
    private Socket tryOne() {
      Socket s = new Socket();
      try {
        s.connect(proxy, 1_000);
        s.setSoTimeout(2_000);
        InputStream in = s.getInputStream();
        byte[] greeting = in.readNBytes(3);
        if (new String(greeting, StandardCharsets.US_ASCII).equals("in\n")) {
          return s;
        }
      } catch (IOException e) {
        // refused or closed by the proxy
      }
      closeQuietly(s);
      return null;
    }

    int awaitDone() throws InterruptedException {
      for (Thread t : threads) {
        t.join();
      }
      return held.size();
    }

    int held() {
      return held.size();
    }

    @Override
    public void close() {
      running.set(false);
      for (Thread t : threads) {
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      held.forEach(Holder::closeQuietly);
      held.clear();
    }

    private static void closeQuietly(Socket s) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing to do
        }
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
