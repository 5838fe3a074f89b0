package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.ConfigKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvFileTest {
  private static final Path UNIT = Path.of("src/deb/edgeproxy.service");

  @Test
  void listsEveryKeyCommentedOutWithItsDefault() throws Exception {
    Map<String, String> unitEnv = EnvFile.unitEnvironment(Files.readAllLines(UNIT));
    List<String> lines = EnvFile.render(unitEnv).lines().toList();
    for (ConfigKey key : ConfigKey.values()) {
      String shown = unitEnv.getOrDefault(key.env(), key.defaultValue());
      assertThat(lines).as(key.env()).containsOnlyOnce("#" + key.env() + "=" + shown);
    }
    assertThat(lines).as("a line that sets something").allSatisfy(l -> assertThat(l).matches("(#.*)?"));
    assertThat(lines).filteredOn(l -> l.startsWith("# ")).as("prose wrapped (a KEY=VALUE line cannot be)")
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void showsTheUnitsOwnSettingsWithTheUnitsValue() throws Exception {
    Map<String, String> unitEnv = EnvFile.unitEnvironment(Files.readAllLines(UNIT));
    assertThat(unitEnv).containsEntry("EDGEPROXY_DB_PATH", "/var/lib/edgeproxy/routing.db");
    assertThat(EnvFile.render(unitEnv)).contains("""
        # Set by edgeproxy.service; without it the default is routing.db.
        #EDGEPROXY_DB_PATH=/var/lib/edgeproxy/routing.db
        """);
  }

  @Test
  void readsOnlyEnvironmentAssignmentsFromTheUnit() {
    assertThat(EnvFile.unitEnvironment(List.of("[Service]", "# Environment=A=1", "Environment=B=2=3", "EnvironmentFile=/x", "Environment=C=")))
        .containsExactly(Map.entry("B", "2=3"), Map.entry("C", ""));
  }
}
