package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address delay after failed logins, on a clock the test moves by hand. */
class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginThrottle throttle =
            new LoginThrottle(Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofSeconds(30), now::get);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void noFailuresNoDelay() throws Exception {
        assertEquals(Duration.ZERO, throttle.delayFor(ip("192.0.2.1")));
    }

    @Test
    void eachFailureDoublesTheDelayUpToTheCap() throws Exception {
        InetAddress a = ip("192.0.2.1");
        long[] expectedMillis = {250, 500, 1000, 2000, 4000, 8000, 8000, 8000};
        for (long ms : expectedMillis) {
            throttle.failed(a);
            assertEquals(Duration.ofMillis(ms), throttle.delayFor(a));
        }
    }

    @Test
    void otherAddressesAreNotDelayed() throws Exception {
        for (int i = 0; i < 5; i++) {
            throttle.failed(ip("192.0.2.1"));
        }
        assertEquals(Duration.ZERO, throttle.delayFor(ip("192.0.2.2")));
        assertEquals(Duration.ZERO, throttle.delayFor(ip("2001:db8::1")));
    }

    @Test
    void oneFailureIsForgottenPerQuietPeriod() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            throttle.failed(a);
        }
        assertEquals(Duration.ofMillis(1000), throttle.delayFor(a));
        advance(Duration.ofSeconds(29));
        assertEquals(Duration.ofMillis(1000), throttle.delayFor(a));
        advance(Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(500), throttle.delayFor(a));
        advance(Duration.ofSeconds(60));
        assertEquals(Duration.ZERO, throttle.delayFor(a));
        // A new failure after the record decayed starts over at the first step.
        throttle.failed(a);
        assertEquals(Duration.ofMillis(250), throttle.delayFor(a));
    }

    @Test
    void ipv6AddressesCountPerSlash64() throws Exception {
        throttle.failed(ip("2001:db8:1:2::1"));
        throttle.failed(ip("2001:db8:1:2:ffff::9"));
        assertEquals(Duration.ofMillis(500), throttle.delayFor(ip("2001:db8:1:2::abcd")));
        assertEquals(Duration.ZERO, throttle.delayFor(ip("2001:db8:1:3::1")));
    }
}
