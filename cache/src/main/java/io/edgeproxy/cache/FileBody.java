package io.edgeproxy.cache;

import java.nio.file.Path;

/**
 * A body in a file of the disk tier: {@code length} bytes from {@code offset}. The file is never
 * written again once it is in the index; eviction unlinks it, and a reader that opened it first
 * reads it to the end (POSIX keeps an unlinked file until its last descriptor closes).
 */
public record FileBody(Path file, long offset, long length) implements Body {}
