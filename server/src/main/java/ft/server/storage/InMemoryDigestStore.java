package ft.server.storage;

import ft.protocol.Md5;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link DigestStore} that forgets everything on restart: one version per key. */
public final class InMemoryDigestStore implements DigestStore {
    private record Known(Version version, Md5 md5) {}

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    @Override
    public Md5 lookup(String key, Version version) {
        Known k = known.get(key);
        return k != null && k.version().equals(version) ? k.md5() : null;
    }

    @Override
    public void record(String key, Version version, Md5 md5) {
        known.put(key, new Known(version, md5));
    }

    @Override
    public void forget(String key) {
        known.remove(key);
    }
}
