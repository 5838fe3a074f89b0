package io.edgeproxy.discovery;

import io.edgeproxy.sql.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Writes registrations in batches: every registration waiting when the writer comes round goes
 * into one routing.db transaction and one snapshot refresh (group commit). A lone registration
 * costs what it did unbatched; a burst costs one commit and one snapshot rebuild per batch
 * instead of per registration, which is what bounded registrations/s.
 */
final class RegistrationBatcher implements AutoCloseable {
  private static final int MAX_BATCH = 512;

  private record Job(Registration registration, CompletableFuture<Void> done) {}

  private final ApiContext context;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread writer;

  RegistrationBatcher(ApiContext context) {
    this.context = context;
    this.writer = Thread.ofPlatform().daemon().name("api-registrations").start(this::run);
  }

  /** Registers {@code r}; returns once it is in routing.db and in the routing snapshot. */
  void register(Registration r) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Job(r, done));
    try {
      done.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  private void run() {
    List<Job> batch = new ArrayList<>();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      try {
        List<Registration> registrations = new ArrayList<>(batch.size());
        List<String> ids = new ArrayList<>(batch.size());
        for (Job job : batch) {
          registrations.add(job.registration());
          ids.add(job.registration().id());
        }
        context.registrations().registerAll(registrations, System.currentTimeMillis(), context.config().heartbeatTtl(),
            context.self());
        context.reloader().refreshBackends(ids);
        batch.forEach(job -> job.done().complete(null));
      } catch (RuntimeException e) {
        batch.forEach(job -> job.done().completeExceptionally(e));
      }
      batch.clear();
    }
  }

  @Override
  public void close() {
    writer.interrupt();
    for (Job job; (job = queue.poll()) != null; ) {
      job.done().completeExceptionally(new IllegalStateException("the discovery API is shutting down"));
    }
  }
}
