package io.edgeproxy.core.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionMapTest {
  @Test
  void defaultsAreTheOriginalFourRegionsAndCoverEveryIsoCountry() {
    RegionMap map = RegionMap.defaults();
    assertThat(map.regions()).containsExactly("ap", "eu", "sa", "us");
    for (String iso : Locale.getISOCountries()) {
      assertThat(map.regionOf(iso)).as(iso).isNotNull();
    }
    assertThat(map.regionOf("BR")).isEqualTo("sa");
    assertThat(map.regionOf("MX")).isEqualTo("us");
    assertThat(map.regionOf("ZA")).isEqualTo("eu");
    assertThat(map.regionOf("IN")).isEqualTo("ap");
    assertThat(map.regionOf("XK")).isEqualTo("eu");
    assertThat(map.regionOf("ZZ")).isNull();
    assertThat(map.regionOf(null)).isNull();
  }

  @Test
  void overridesMoveCountriesAndDefineNewRegions() {
    RegionMap map = RegionMap.defaults().withOverrides(Map.of("br", " GRU ", "AR", "gru"));
    assertThat(map.regionOf("BR")).isEqualTo("gru");
    assertThat(map.regionOf("AR")).isEqualTo("gru");
    assertThat(map.isKnownRegion("gru")).isTrue();
    assertThat(map.isKnownRegion("sa")).isTrue();
    assertThat(map.isKnownRegion("mars")).isFalse();
  }
}
