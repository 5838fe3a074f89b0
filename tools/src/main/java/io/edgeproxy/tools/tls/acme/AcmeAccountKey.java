package io.edgeproxy.tools.tls.acme;

import io.edgeproxy.tools.tls.CertificateSeal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * This POP's ACME account key, kept beside routing.db in {@code routing.db.acme-account} (0600):
 * the private key sealed as certificate keys are (never in clear), then the public key. Made on
 * first use; every POP has its own account.
 */
public record AcmeAccountKey(KeyPair keyPair) {
  private static final String LABEL = "acme-account";

  /** The key in {@code file}, or a new one written there. */
  public static AcmeAccountKey loadOrCreate(Path file, CertificateSeal seal) {
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() < 2) {
          throw new IllegalStateException(file + " is damaged (expected two lines: the sealed key, the public key);"
              + " remove it to make a new ACME account");
        }
        PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1))));
        return new AcmeAccountKey(new KeyPair(pub, seal.unseal(LABEL, lines.get(0))));
      }
      KeyPair pair = AcmeClient.newKey();
      String text = seal.seal(LABEL, pair.getPrivate()) + "\n" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())
          + "\n";
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return new AcmeAccountKey(pair);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the ACME account key " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot open the ACME account key " + file + ": " + e.getMessage(), e);
    }
  }
}
