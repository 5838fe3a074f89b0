package io.edgeproxy.sql;

/** Names of the replicated tables this build reads itself (the registry may list more). */
public final class Tables {
  public static final String BACKENDS = "backends";
  public static final String APPS = "apps";
  public static final String REGION_COUNTRIES = "region_countries";
  public static final String REGISTRATIONS = "registrations";
  public static final String API_TOKENS = "api_tokens";
  public static final String HEALTH_CHECKS = "health_checks";
  public static final String HOSTNAMES = "hostnames";
  public static final String CERTIFICATES = "certificates";

  private Tables() {}
}
