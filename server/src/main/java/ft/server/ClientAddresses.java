package ft.server;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What counts as one client for per-address limits (connections, pending logins, the login
 * penalty): an IPv4 address as it is; an IPv6 address cut to its /64 network, since one host
 * usually has a whole /64 to pick source addresses from; an IPv4-mapped IPv6 address
 * ({@code ::ffff:a.b.c.d}, what a dual-stack listener sees of an IPv4 client) as its IPv4
 * address.
 */
final class ClientAddresses {
    private ClientAddresses() {}

    static InetAddress keyOf(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        try {
            if (isV4Mapped(bytes)) {
                return Inet4Address.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            return address; // only for a wrong length, which these are not
        }
    }

    private static boolean isV4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
