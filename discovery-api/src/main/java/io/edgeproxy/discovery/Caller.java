package io.edgeproxy.discovery;

import io.edgeproxy.sql.ApiTokens;

/**
 * Who is calling, from the bearer token: an admin (every app) or the manager of one app.
 *
 * @param scope {@link ApiTokens#ADMIN} or the app name
 */
record Caller(String scope) {
  boolean isAdmin() {
    return ApiTokens.ADMIN.equals(scope);
  }

  boolean mayManage(String app) {
    return isAdmin() || scope.equals(app);
  }

  String describe() {
    return isAdmin() ? "an admin token" : "a token for app '" + scope + "'";
  }
}
