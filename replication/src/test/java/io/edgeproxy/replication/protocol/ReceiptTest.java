package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiptTest {
  @Test
  void aReceiptIsWrittenAndReadAsNodeColonVersion() {
    Receipt r = new Receipt("pop-gru-1", 117964802094530560L);
    assertThat(r.toString()).isEqualTo("pop-gru-1:117964802094530560");
    assertThat(Receipt.parse(r.toString())).contains(r);
  }

  @Test
  void anythingElseIsNotAReceipt() {
    assertThat(Receipt.parse("pop-1")).isEmpty();
    assertThat(Receipt.parse("pop-1:")).isEmpty();
    assertThat(Receipt.parse(":12")).isEmpty();
    assertThat(Receipt.parse("pop-1:x12")).isEmpty();
  }
}
