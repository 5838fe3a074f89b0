package io.edgeproxy.replication.net;

import io.edgeproxy.replication.wire.Envelope;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;

/** Envelope framing on a stream: a 4-byte length, then the Protobuf message; at most 16 MiB. */
final class Frames {
  static final int MAX_FRAME = 16 << 20;

  private Frames() {}

  static void install(ChannelPipeline pipeline) {
    pipeline.addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4));
    pipeline.addLast(new ProtobufDecoder(Envelope.getDefaultInstance()));
    pipeline.addLast(new LengthFieldPrepender(4));
    pipeline.addLast(new ProtobufEncoder());
  }
}
