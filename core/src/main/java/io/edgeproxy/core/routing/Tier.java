package io.edgeproxy.core.routing;

import io.edgeproxy.core.geo.ClientLocation;

/** The geographic tiers of the original's scoring, and what each means. */
public final class Tier {
  public static final int SAME_COUNTRY = 0;
  public static final int SAME_REGION = 1;
  public static final int POP_REGION = 2;
  public static final int ELSEWHERE = 3;

  private Tier() {}

  /** The tier of {@code backend} for a client at {@code client}, seen from a POP in {@code popRegion}. */
  public static int of(Backend backend, ClientLocation client, String popRegion) {
    if (client.country() != null && client.country().equals(backend.country())) {
      return SAME_COUNTRY;
    }
    if (client.region() != null && client.region().equals(backend.region())) {
      return SAME_REGION;
    }
    if (popRegion.equals(backend.region())) {
      return POP_REGION;
    }
    return ELSEWHERE;
  }

  public static String describe(int tier) {
    return switch (tier) {
      case SAME_COUNTRY -> "same country as the client";
      case SAME_REGION -> "same region as the client";
      case POP_REGION -> "this POP's region";
      default -> "another region";
    };
  }
}
