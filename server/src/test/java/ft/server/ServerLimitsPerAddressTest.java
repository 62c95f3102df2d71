package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ft.protocol.ErrorCode;
import ft.protocol.Response;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-address connection cap: what counts as one address (IPv6: one /64), and that refused
 * connections leave no state behind.
 */
class ServerLimitsPerAddressTest {
    @TempDir
    Path tmp;

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    // ------------------------------------------------------------------ what one address is

    @Test
    void ipv6AddressesOfOneSlash64AreOneClientAndOtherPrefixesAreNot() throws IOException {
        InetAddress a = ClientAddresses.keyOf(ip("2001:db8::1"));
        assertEquals(a, ClientAddresses.keyOf(ip("2001:db8::ffff:1")));
        assertEquals(a, ClientAddresses.keyOf(ip("2001:db8:0:0:1234:5678:9abc:def0")));
        assertEquals(ip("2001:db8::"), a);
        assertNotEquals(a, ClientAddresses.keyOf(ip("2001:db9::1")));
        assertNotEquals(a, ClientAddresses.keyOf(ip("2001:db8:0:1::1")), "the next /64 is another client");
    }

    @Test
    void ipv4AddressesAreEachTheirOwnAndIpv4MappedIpv6CountsAsIpv4() throws IOException {
        assertEquals(ip("192.0.2.1"), ClientAddresses.keyOf(ip("192.0.2.1")));
        assertNotEquals(ClientAddresses.keyOf(ip("192.0.2.1")), ClientAddresses.keyOf(ip("192.0.2.2")));
        // An Inet6Address holding ::ffff:192.0.2.1 (the JDK's parser would already unmap it).
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1};
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertInstanceOf(Inet6Address.class, v6);
        InetAddress key = ClientAddresses.keyOf(v6);
        assertInstanceOf(Inet4Address.class, key);
        assertEquals(ip("192.0.2.1"), key);
        assertNotEquals(ClientAddresses.keyOf(ip("192.0.2.2")), ClientAddresses.keyOf(v6));
    }

    // ------------------------------------------------------------------ end to end

    private FtServer start(InetAddress listen, int maxConnections, int maxPerAddress) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        return FtServer.start(FtServer.Options.of(root, new InetSocketAddress(listen, 0))
                .withLimits(ServerLimits.DEFAULTS.withConnections(maxConnections, maxPerAddress)));
    }

    private static void assertBusy(ft.testing.RawClient c) throws IOException {
        Response.Error e = assertInstanceOf(Response.Error.class, c.read(Response.HelloOk.class));
        assertEquals(ErrorCode.BUSY, e.code());
        c.assertClosedByServer();
    }

    private static void awaitEntries(FtServer server, int expected) {
        await("per-address entries: " + expected)
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> server.perAddressEntries() == expected);
    }

    @Test
    void connectionsRefusedForTheServersCapFromManyAddressesLeaveNoPerAddressEntries() throws IOException {
        assertTrue(canBind(ip("127.0.0.2")), "Linux routes all of 127.0.0.0/8 to the loopback; this test needs it");
        try (FtServer server = start(ip("127.0.0.1"), 1, 64);
                RawClient held = RawClient.hello(server)) {
            assertEquals(1, server.perAddressEntries());
            for (int i = 2; i < 22; i++) {
                try (ft.testing.RawClient refused =
                        ft.testing.RawClient.connect(server.address(), ip("127.0.0." + i))) {
                    assertBusy(refused);
                }
            }
            assertEquals(1, server.perAddressEntries(), "20 refused addresses must leave no entry behind");
            held.close();
            awaitEntries(server, 0);
        }
    }

    @Test
    void connectionsRefusedForTheAddressCapLeaveOnlyTheAdmittedOnesEntry() throws IOException {
        try (FtServer server = start(ip("127.0.0.1"), 100, 1);
                RawClient held = RawClient.hello(server)) {
            for (int i = 0; i < 10; i++) {
                try (RawClient refused = RawClient.connect(server)) {
                    assertBusy(refused);
                }
            }
            assertEquals(1, server.perAddressEntries());
            held.close();
            awaitEntries(server, 0);
            try (RawClient again = RawClient.hello(server)) {
                assertEquals(1, server.perAddressEntries(), "a freed address is admitted again");
            }
        }
    }

    /**
     * The cap end to end over IPv6 loopback where the host has it. Linux has only {@code ::1} as
     * IPv6 loopback, so the /64 grouping itself is tested on {@link ClientAddresses} above. If
     * {@code ::1} cannot be bound the test runs on 127.0.0.1 instead, but fails when the host
     * claims an IPv6 loopback (/proc/net/if_inet6 lists ::1) that cannot be used.
     */
    @Test
    void thePerAddressCapHoldsOverIpv6LoopbackWhereTheHostHasIt() throws IOException {
        InetAddress loopback = ip("::1");
        if (!canBind(loopback)) {
            if (claimsIpv6Loopback()) {
                fail("the host lists ::1 in /proc/net/if_inet6 but it cannot be bound");
            }
            loopback = ip("127.0.0.1");
        }
        try (FtServer server = start(loopback, 100, 2)) {
            List<RawClient> admitted = new ArrayList<>();
            try {
                admitted.add(RawClient.hello(server));
                admitted.add(RawClient.hello(server));
                try (RawClient third = RawClient.connect(server)) {
                    assertBusy(third);
                }
                assertEquals(1, server.perAddressEntries());
            } finally {
                for (RawClient c : admitted) {
                    c.close();
                }
            }
            awaitEntries(server, 0);
        }
    }

    private static boolean claimsIpv6Loopback() throws IOException {
        Path inet6 = Path.of("/proc/net/if_inet6");
        return Files.exists(inet6)
                && Files.readAllLines(inet6).stream().anyMatch(l -> l.startsWith("00000000000000000000000000000001"));
    }

    private static boolean canBind(InetAddress address) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
