package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChangeCheckTest {
  @Test
  void namesAreLettersDigitsAndUnderscoreNotLeadingWithADigit() {
    for (String good : new String[] {"backends", "_x", "a1", "expires_ms", "A".repeat(64)}) {
      assertThat(ChangeCheck.isName(good)).as(good).isTrue();
    }
    for (String bad : new String[] {"", "1a", "a-b", "a b", "a;drop", "é", "A".repeat(65), "\"x\""}) {
      assertThat(ChangeCheck.isName(bad)).as(bad).isFalse();
    }
  }
}
