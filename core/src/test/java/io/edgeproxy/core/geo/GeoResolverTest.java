package io.edgeproxy.core.geo;

import static io.edgeproxy.core.testing.TestBackends.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoResolverTest {
  private static final MaxMindGeoResolver EMBEDDED = MaxMindGeoResolver.embedded();

  @AfterAll
  static void close() throws Exception {
    EMBEDDED.close();
  }

  @Test
  void embeddedDatabaseKnowsPublicAddresses() {
    assertThat(EMBEDDED.countryOf(ip("200.160.2.3"))).isEqualTo("BR");
    assertThat(EMBEDDED.countryOf(ip("81.2.69.142"))).isEqualTo("GB");
    assertThat(EMBEDDED.countryOf(ip("202.12.27.33"))).isEqualTo("JP");
    assertThat(EMBEDDED.countryOf(ip("2001:4860:4860::8888"))).isEqualTo("US");
    assertThat(EMBEDDED.describe()).contains("embedded").contains("country");
  }

  @Test
  void operatorFileInMaxMindLayoutIsRead() throws URISyntaxException {
    Path file = Path.of(getClass().getResource("/geo/geolite2-layout-test.mmdb").toURI());
    try (MaxMindGeoResolver resolver = MaxMindGeoResolver.open(file)) {
      assertThat(resolver.countryOf(ip("81.2.69.142"))).isEqualTo("GB");
      assertThat(resolver.countryOf(ip("67.43.156.1"))).isEqualTo("BT");
      assertThat(resolver.countryOf(ip("2001:218::1"))).isEqualTo("JP");
      assertThat(resolver.countryOf(ip("8.8.8.8"))).isNull();
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aMissingOrBogusFileFailsNamingThePath(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> MaxMindGeoResolver.open(dir.resolve("nope.mmdb")))
        .hasMessageContaining("nope.mmdb").hasMessageContaining("does not exist");
    Path bogus = Files.writeString(dir.resolve("bogus.mmdb"), "not a database");
    assertThatThrownBy(() -> MaxMindGeoResolver.open(bogus))
        .hasMessageContaining("bogus.mmdb").hasMessageContaining("expected: a MaxMind DB");
  }

  @Test
  void theLaunchersCopyIsMappedAndAnswersAsTheJarDoes(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("iptoasn-country.mmdb");
    try (var in = MaxMindGeoResolver.class.getResourceAsStream(MaxMindGeoResolver.EMBEDDED_RESOURCE)) {
      Files.copy(in, copy);
    }
    try (MaxMindGeoResolver mapped = MaxMindGeoResolver.mappedCopy(copy)) {
      assertThat(mapped).isNotNull();
      assertThat(mapped.describe()).contains("mapped from " + copy);
      for (String a : new String[] {"200.160.2.3", "81.2.69.142", "202.12.27.33", "2001:4860:4860::8888", "8.8.8.8", "1.1.1.1"}) {
        assertThat(mapped.countryOf(ip(a))).as(a).isEqualTo(EMBEDDED.countryOf(ip(a)));
      }
    }
  }

  @Test
  void aCopyOfAnotherSizeOrNoneIsPassedOverForTheJar(@TempDir Path dir) throws Exception {
    assertThat(MaxMindGeoResolver.mappedCopy(dir.resolve("missing.mmdb"))).isNull();
    Path stale = dir.resolve("stale.mmdb");
    try (var in = MaxMindGeoResolver.class.getResourceAsStream(MaxMindGeoResolver.EMBEDDED_RESOURCE)) {
      byte[] bytes = in.readAllBytes();
      Files.write(stale, java.util.Arrays.copyOf(bytes, bytes.length - 1)); // a truncated or older copy
    }
    assertThat(MaxMindGeoResolver.mappedCopy(stale)).isNull();
    String before = System.getProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY);
    System.setProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY, stale.toString());
    try (MaxMindGeoResolver fallback = MaxMindGeoResolver.embedded()) {
      assertThat(fallback.describe()).doesNotContain("mapped from");
      assertThat(fallback.countryOf(ip("200.160.2.3"))).isEqualTo("BR");
    } finally {
      if (before == null) {
        System.clearProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY);
      } else {
        System.setProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY, before);
      }
    }
  }

  @Test
  void nonRoutableClientsGetNoGeoWithoutAskingTheResolver() {
    GeoResolver refuses = address -> {
      throw new AssertionError("resolver asked about " + address);
    };
    ClientLocator locator = new ClientLocator(refuses);
    for (String a : new String[] {"127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1", "100.64.0.1", "fd00::1", "0.0.0.0"}) {
      assertThat(locator.locate(ip(a), RegionMap.defaults())).as(a).isEqualTo(ClientLocation.UNKNOWN);
    }
  }

  @Test
  void publicClientsGetCountryAndRegion() {
    ClientLocator locator = new ClientLocator(EMBEDDED);
    assertThat(locator.locate(ip("200.160.2.3"), RegionMap.defaults())).isEqualTo(new ClientLocation("BR", "sa"));
    RegionMap custom = RegionMap.defaults().withOverrides(java.util.Map.of("BR", "gru"));
    assertThat(locator.locate(ip("200.160.2.3"), custom)).isEqualTo(new ClientLocation("BR", "gru"));
  }
}
