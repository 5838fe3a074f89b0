package io.edgeproxy.tools.cli.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlStatementsTest {
  @Test
  void splitsAtSemicolonsAndKeepsTheIncompleteRest() {
    SqlStatements.Split s = SqlStatements.split("SELECT 1; SELECT\n 2;\nSELECT 3");
    assertThat(s.statements()).containsExactly("SELECT 1;", "SELECT\n 2;");
    assertThat(s.rest().strip()).isEqualTo("SELECT 3");
  }

  @Test
  void semicolonsInQuotesAndCommentsDoNotEndAStatement() {
    SqlStatements.Split s = SqlStatements.split("SELECT 'a;b', \"c;\", [d;], `e;` -- f;\n /* g; */ FROM t;");
    assertThat(s.statements()).hasSize(1);
    assertThat(s.statements().get(0)).endsWith("FROM t;");
    assertThat(SqlStatements.split("SELECT 'it''s;").statements()).isEmpty();
  }

  @Test
  void aTriggerBodyEndsOnlyAtEnd() {
    String trigger = "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = 1; DELETE FROM z; END;";
    assertThat(SqlStatements.split(trigger.substring(0, trigger.indexOf("DELETE"))).statements()).isEmpty();
    assertThat(SqlStatements.split(trigger + " SELECT 1;").statements()).containsExactly(trigger, "SELECT 1;");
  }

  @Test
  void commentOnlyInputHasNoStatements() {
    assertThat(SqlStatements.split("-- nothing;\n/* ; */ ;").statements()).isEmpty();
    assertThat(SqlStatements.hasContent("  -- x\n")).isFalse();
    assertThat(SqlStatements.hasContent("  -- x\nSELECT")).isTrue();
  }
}
