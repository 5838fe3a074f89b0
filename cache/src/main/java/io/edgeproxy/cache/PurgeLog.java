package io.edgeproxy.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The ids of the purges applied to the disk tier, one per line, so a restart applies a purge row
 * once: not again to what was stored after it. The disk tier's thread only.
 */
final class PurgeLog {
  private final Path file;

  PurgeLog(Path file) {
    this.file = file;
  }

  Set<String> read() {
    try {
      Set<String> ids = new HashSet<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          ids.add(line.strip());
        }
      }
      return ids;
    } catch (NoSuchFileException e) {
      return new HashSet<>();
    } catch (IOException e) {
      return new HashSet<>(); // unreadable: purges are applied again, which only drops more
    }
  }

  void append(String id, Consumer<String> failed) {
    try {
      Files.writeString(file, id + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      failed.accept("cannot record purge " + id + " in " + file + ": " + e.getMessage());
    }
  }

  void rewrite(Set<String> ids, Consumer<String> failed) {
    Path temp = file.resolveSibling(file.getFileName() + ".new");
    try {
      Files.write(temp, ids, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      failed.accept("cannot rewrite " + file + ": " + e.getMessage());
    }
  }
}
