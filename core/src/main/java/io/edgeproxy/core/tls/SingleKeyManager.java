package io.edgeproxy.core.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One key and its certificate chain, handed to the TLS stack as they are (every server and client
 * context of a POP that has a key: replication, the HTTPS edge, the device tunnels, the API).
 * Netty's {@code forServer(PrivateKey, ...)} and {@code keyManager(PrivateKey, ...)} would put them
 * in a PKCS#12 key store first, which encrypts the key with 10,000 rounds of PBKDF2 and decrypts it
 * again, for every context: on a freshly started JVM that was about a third of replication's
 * start-up, and 125 ms of the first OpenSSL context's 219 ms (the JIT then compiles the PBKDF2
 * loop too, while the first clients are served).
 */
public final class SingleKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "node";
  private final PrivateKey key;
  private final X509Certificate[] chain;

  public SingleKeyManager(PrivateKey key, X509Certificate... chain) {
    this.key = requireNonNull(key, "key");
    this.chain = chain.clone();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return chain.clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return key;
  }
}
