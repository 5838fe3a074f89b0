package io.edgeproxy.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
  /** Regenerate with: mvn -q -pl core test -Dtest=ConfigDocsTest -Dedgeproxy.writeDocs=true */
  @Test
  void docsConfigMdMatchesTheKeyTable() throws Exception {
    Path file = Path.of("../docs/config.md");
    if (Boolean.getBoolean("edgeproxy.writeDocs")) {
      Files.writeString(file, ConfigDocs.markdown());
    }
    assertThat(Files.readString(file)).isEqualTo(ConfigDocs.markdown());
  }
}
