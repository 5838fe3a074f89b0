package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.DnsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The start-up warm-up answers its own queries on a throwaway socket and leaves no trace. */
@Timeout(60)
class DnsWarmUpIT {
  @TempDir Path dir;

  @Test
  void warmUpQueriesAreAnsweredButNotCountedAndTheServerAnswersAfterwards() {
    DnsServer.Limits limits = new DnsServer.Limits(Duration.ofSeconds(10), 256, 3_000, Duration.ofSeconds(10), 1024, 0);
    try (DnsHarness dns = DnsHarness.start(dir, Fixture.backends(), Map.of(), DnsConfig.forTest(), limits)) {
      assertThat(dns.server.stats().queriesTotal()).isZero();
      assertThat(dns.digShort("api.internal", "A")).containsExactly("10.51.1.1");
      assertThat(dns.server.stats().queriesTotal()).isEqualTo(1);
    }
  }
}
