package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.tools.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeproxy sql --write} on one POP's routing.db replicates to the others, like any writer's change. */
@Timeout(120)
class SqlReplicationIT {
  @TempDir Path dir;

  private static String sql(Path db, String input, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 3];
    all[0] = "sql";
    all[1] = "--db";
    all[2] = db.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    int code = Cli.run(Map.of(), new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
        new PrintWriter(err), all);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void writesThroughTheShellReachTheOtherPop() {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      sql(cluster.db(0), "INSERT INTO backends (id, app, region, country, wg_ip, port)\n"
          + "  VALUES ('web-cli', 'web', 'sa', 'BR', '10.9.0.1', 8080);\n", "--write");
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(1).state().current().backends().stream()
          .anyMatch(b -> b.id().equals("web-cli")));
      assertThat(sql(cluster.db(1), "", "SELECT id, wg_ip FROM backends WHERE id = 'web-cli'")).isEqualTo("web-cli|10.9.0.1\n");

      sql(cluster.db(0), "", "--write", "UPDATE backends SET weight = 0 WHERE id = 'web-cli'");
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(1).state().current().backends().stream()
          .anyMatch(b -> b.id().equals("web-cli") && b.weight() == 0));
    }
  }
}
