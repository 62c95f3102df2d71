package ft.server.storage.s3;

import ft.protocol.ErrorCode;
import ft.server.RefusedException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The cross-server rule for multipart uploads: at most one server feeds a name at a time.
 *
 * <p>A lease is an object {@code .ft/leases/<sha256(key)>} = {owner, key, expires} created with
 * {@code If-None-Match: *} (create-only: of two servers, exactly one succeeds). The holder
 * refreshes it every lease/3 while an upload of the name is open on it and deletes it when the
 * last closes. A lease past its expiry belongs to a dead server: it is deleted and created again
 * (create-only, so of two servers taking over, one wins; the other gets BUSY). Sessions of one
 * server share its lease (counted); whether two of them may run at once is the server's own
 * path lock's business.
 */
final class Leases {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

    /** What a lease object holds. */
    record Lease(String owner, String key, long expires) {}

    private static final class Held {
        int count;
        final String leaseKey;
        volatile boolean lost;

        Held(String leaseKey) {
            this.leaseKey = leaseKey;
        }
    }

    private final S3Storage.Shared shared;
    private final Map<String, Held> held = new HashMap<>();
    private ScheduledFuture<?> heartbeat;

    Leases(S3Storage.Shared shared) {
        this.shared = shared;
    }

    private String leaseKey(String key) {
        return shared.statePrefix + "leases/" + S3Storage.sha256(key);
    }

    private long leaseMillis() {
        return shared.settings.lease().toMillis();
    }

    /**
     * Takes the lease on {@code key} for this server (or counts one more session of it).
     *
     * @throws RefusedException BUSY while another server holds a live lease on it
     */
    synchronized void acquire(String key, String path) throws RefusedException, IOException {
        Held h = held.get(key);
        if (h != null) {
            h.count++;
            return;
        }
        String leaseKey = leaseKey(key);
        boolean taken = false;
        // Bounded: each round either takes the lease, finds a live one (BUSY), or removes an
        // expired one that a later round may then create.
        for (int round = 0; round < 3 && !taken; round++) {
            if (createOnly(leaseKey, key)) {
                taken = true;
                break;
            }
            Lease other = read(leaseKey);
            if (other == null) {
                continue; // released meanwhile: try to create it again
            }
            if (shared.serverId.equals(other.owner())) {
                // This server's own: a create whose answer was lost (the SDK retried it and met
                // the object it had made), or one left by a session of this server. Renew it.
                refresh(leaseKey, key);
                taken = true;
                break;
            }
            if (other.expires() > System.currentTimeMillis()) {
                throw busy(path, other.expires());
            }
            LOG.info("s3: taking over the expired lease of {} from {}", key, other.owner());
            shared.deleteObject(leaseKey);
        }
        if (!taken) {
            throw busy(path, System.currentTimeMillis() + leaseMillis()); // others took it over first
        }
        Held fresh = new Held(leaseKey);
        fresh.count = 1;
        held.put(key, fresh);
        startHeartbeat();
    }

    /** BUSY, saying how long a dead server's claim can still hold the name: a person can wait that out. */
    private static RefusedException busy(String path, long expires) {
        long seconds = Math.max(1, (expires - System.currentTimeMillis() + 999) / 1000);
        return new RefusedException(
                ErrorCode.BUSY,
                "another upload of '" + path + "' is in progress on another server; if that server is gone, its "
                        + "claim lapses within " + seconds + " s");
    }

    /** True if this call created the lease object; false if one exists (412). */
    private boolean createOnly(String leaseKey, String key) throws IOException {
        byte[] body = body(key);
        try {
            shared.s3.putObject(
                    b -> b.bucket(shared.bucket).key(leaseKey).ifNoneMatch("*").contentType("application/json"),
                    RequestBody.fromBytes(body));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw S3Storage.io("create the lease " + leaseKey, e);
        } catch (SdkException e) {
            throw S3Storage.io("create the lease " + leaseKey, e);
        }
    }

    private byte[] body(String key) throws IOException {
        return shared.json.writeValueAsBytes(
                new Lease(shared.serverId, key, System.currentTimeMillis() + leaseMillis()));
    }

    private Lease read(String leaseKey) throws IOException {
        try {
            return shared.readJson(leaseKey, Lease.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // Not a lease ft wrote: treat as expired.
            return new Lease("unreadable", "", 0);
        }
    }

    /**
     * Checks that this server still holds the lease on {@code key} (read from the store, not from
     * memory): before each part's sidecar is written and before the upload completes.
     *
     * @throws IOException if another server has taken it over (this one stalled past its lease)
     */
    void verify(String key) throws IOException {
        Held h;
        synchronized (this) {
            h = held.get(key);
        }
        if (h == null) {
            throw new IOException("the upload of " + key + " holds no lease");
        }
        Lease l = read(h.leaseKey);
        if (l == null || !shared.serverId.equals(l.owner())) {
            h.lost = true;
            throw new IOException(
                    "another server took over the upload of " + key + " (this one stalled longer than its "
                            + shared.settings.lease().toSeconds() + " s lease)");
        }
    }

    /** One session of {@code key} ends; the last deletes the lease (if still this server's). */
    void release(String key) {
        Held h;
        synchronized (this) {
            h = held.get(key);
            if (h == null || --h.count > 0) {
                return;
            }
            held.remove(key);
            if (held.isEmpty() && heartbeat != null) {
                heartbeat.cancel(false);
                heartbeat = null;
            }
        }
        try {
            Lease l = read(h.leaseKey);
            if (l != null && shared.serverId.equals(l.owner())) {
                shared.deleteObject(h.leaseKey);
            }
        } catch (IOException e) {
            LOG.warn("s3: could not release the lease of {} (it expires by itself): {}", key, e.toString());
        }
    }

    private void startHeartbeat() {
        if (heartbeat == null) {
            long every = Math.max(100, leaseMillis() / 3);
            heartbeat = shared.scheduler.scheduleWithFixedDelay(this::refreshAll, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Extends every lease this server holds, unless another server took it over meanwhile. */
    private void refreshAll() {
        Map<String, Held> now;
        synchronized (this) {
            now = new HashMap<>(held);
        }
        for (Map.Entry<String, Held> e : now.entrySet()) {
            Held h = e.getValue();
            if (h.lost) {
                continue;
            }
            try {
                Lease l = read(h.leaseKey);
                if (l == null || !shared.serverId.equals(l.owner())) {
                    h.lost = true;
                    LOG.warn("s3: the lease of {} was taken over by {}", e.getKey(), l == null ? "nobody" : l.owner());
                    continue;
                }
                refresh(h.leaseKey, e.getKey());
            } catch (IOException | SdkException ex) {
                LOG.warn("s3: could not refresh the lease of {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** Rewrites this server's lease on {@code key} with a fresh expiry. */
    private void refresh(String leaseKey, String key) throws IOException {
        byte[] body = body(key);
        try {
            shared.s3.putObject(
                    b -> b.bucket(shared.bucket).key(leaseKey).contentType("application/json"),
                    RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw S3Storage.io("renew the lease " + leaseKey, e);
        }
    }

    /** Deletes leases that expired (their servers died); returns how many. */
    int dropExpired() throws IOException {
        int dropped = 0;
        String prefix = shared.statePrefix + "leases/";
        String token = null;
        do {
            String t = token;
            var r = shared.s3.listObjectsV2(
                    b -> b.bucket(shared.bucket).prefix(prefix).continuationToken(t));
            for (S3Object o : r.contents()) {
                Lease l = read(o.key());
                if (l != null && l.expires() < System.currentTimeMillis() && !shared.serverId.equals(l.owner())) {
                    shared.deleteObject(o.key());
                    dropped++;
                }
            }
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        return dropped;
    }
}
