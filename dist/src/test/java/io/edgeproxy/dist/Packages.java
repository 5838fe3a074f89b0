package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The packages this build made (the dist module's failsafe configuration names them). */
final class Packages {
  private Packages() {}

  /** The project version, as in the tarball's name and {@code edgeproxy --version}. */
  static String version() {
    return System.getProperty("dist.version", "");
  }

  static Path tarball() {
    Path tarball = Path.of(System.getProperty("dist.tarball", "target/missing.tar.gz"));
    assertThat(tarball).as("the tarball (mvn package -pl dist -am builds it)").isRegularFile();
    return tarball;
  }

  /** Unpacks the tarball with {@code tar} into {@code dir}; returns the install directory it makes there. */
  static Path unpackTarball(Path dir) throws Exception {
    Commands.run("tar", "-xzf", tarball().toString(), "-C", dir.toString()).ok();
    return dir.resolve("edgeproxy-" + version());
  }

  /** The one {@code edgeproxy_*_amd64.deb} in the build directory. */
  static Path deb() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("dist.debDir", "target")))) {
      List<Path> debs = files.filter(f -> f.getFileName().toString().matches("edgeproxy_.*_amd64\\.deb")).toList();
      assertThat(debs).as("the Debian package (mvn package -pl dist -am builds it)").hasSize(1);
      return debs.getFirst();
    }
  }
}
