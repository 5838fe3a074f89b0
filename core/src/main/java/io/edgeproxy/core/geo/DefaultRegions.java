package io.edgeproxy.core.geo;

import java.util.HashMap;
import java.util.Map;

/**
 * The default country table (sa, us, eu, ap), exactly as {@code shared/reference/geoip.md} §6
 * gives it, including the non-ISO codes the databases return (XK, EU, AP, AN).
 */
final class DefaultRegions {
  private static final String SA = "AR BO BR CL CO EC FK GF GS GY PE PY SR UY VE";
  private static final String US =
      "AG AI AQ AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI"
          + " PA PM PR SV SX TC TT US VC VG VI AN";
  private static final String EU =
      "AD AE AL AM AO AT AX AZ BA BE BF BG BH BI BJ BV BW BY CD CF CG CH CI CM CV CY CZ DE DJ DK DZ"
          + " EE EG EH ER ES ET FI FO FR GA GB GE GG GH GI GM GN GQ GR GW HR HU IE IL IM IQ IR IS IT"
          + " JE JO KE KG KM KW KZ LB LI LR LS LT LU LV LY MA MC MD ME MG MK ML MR MT MU MW MZ NA NE"
          + " NG NL NO OM PL PS PT QA RE RO RS RU RW SA SC SD SE SH SI SJ SK SL SM SN SO SS ST SY SZ"
          + " TD TF TG TJ TM TN TR TZ UA UG UZ VA YE YT ZA ZM ZW XK EU";
  private static final String AP =
      "AF AS AU BD BN BT CC CK CN CX FJ FM GU HK HM ID IN IO JP KH KI KP KR LA LK MH MM MN MO MP MV"
          + " MY NC NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TK TL TO TV TW UM VN VU WF WS AP";

  private DefaultRegions() {}

  static Map<String, String> countryToRegion() {
    Map<String, String> map = new HashMap<>();
    put(map, SA, "sa");
    put(map, US, "us");
    put(map, EU, "eu");
    put(map, AP, "ap");
    return map;
  }

  private static void put(Map<String, String> map, String countries, String region) {
    for (String country : countries.split(" ")) {
      if (map.putIfAbsent(country, region) != null) {
        throw new IllegalStateException("country listed twice in the default table: " + country);
      }
    }
  }
}
