package io.edgeproxy.replication.protocol;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What a rejoin from a peer's copy did.
 *
 * @param from the peer copied
 * @param reason why this POP rejoined
 * @param atMs when
 * @param rows rows copied
 * @param droppedLocalChanges changes made here that the copy did not have (listed in {@code report})
 * @param report the file listing them, or null when there were none
 */
public record RejoinReport(String from, String reason, long atMs, long rows, int droppedLocalChanges, @Nullable Path report) {}
