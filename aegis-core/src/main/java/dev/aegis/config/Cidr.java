package dev.aegis.config;

import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code ::1/128}; the client-IP phase matches peer
 * addresses against the trusted proxies with it.
 *
 * <p>Parsing never touches DNS: only IP literals are accepted, so a config or a forged header can not make the
 * node resolve names. {@link #contains(byte[])} allocates nothing, as it runs for every request.
 *
 * @param network the network address, 4 or 16 bytes, with all host bits zero ({@link #network()} returns a copy)
 * @param prefixLength how many leading bits are significant, 0..32 or 0..128
 */
public record Cidr(byte[] network, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an IP network has 4 or 16 bytes, got " + network.length);
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException(
                    "prefix length must be between 0 and " + network.length * 8 + ", got " + prefixLength);
        }
        network = network.clone();
        if (!hostBitsZero(network, prefixLength)) {
            throw new IllegalArgumentException("host bits are set in " + format(network) + "/" + prefixLength
                    + "; the network is " + format(masked(network, prefixLength)) + "/" + prefixLength);
        }
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code v6/n}, or a plain address (a network of one host: /32 or /128).
     *
     * @throws IllegalArgumentException with a message fit for a user when {@code text} is not such a network
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        String addressPart = slash < 0 ? text : text.substring(0, slash);
        byte[] address = parseAddress(addressPart);
        if (address == null) {
            throw new IllegalArgumentException("`" + text + "` is not a CIDR: `" + addressPart
                    + "` is not an IPv4 or IPv6 address");
        }
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            prefix = parsePrefix(text, slash + 1);
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("`" + text + "` is not a CIDR: the prefix length after `/` must be "
                        + "a number from 0 to " + max);
            }
        }
        if (!hostBitsZero(address, prefix)) {
            throw new IllegalArgumentException("`" + text + "` has host bits set; did you mean `"
                    + format(masked(address, prefix)) + "/" + prefix + "`?");
        }
        return new Cidr(address, prefix);
    }

    /**
     * Parses an IPv4 ({@code 192.0.2.1}) or IPv6 ({@code 2001:db8::1}, {@code ::ffff:192.0.2.1}) literal into its
     * 4 or 16 bytes, or returns null when {@code text} is anything else (names, zone ids, brackets, ports).
     * Meant for untrusted text such as {@code X-Forwarded-For} entries: linear, no regex, no DNS.
     */
    public static byte[] parseAddress(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        return text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text, 0, text.length());
    }

    /**
     * Whether {@code address} (4 or 16 bytes, as from {@link java.net.InetAddress#getAddress()}) lies in this
     * network. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) matches an IPv4 network, because dual-stack
     * sockets report IPv4 peers that way.
     */
    public boolean contains(byte[] address) {
        if (address == null) {
            return false;
        }
        int offset = 0;
        if (address.length != network.length) {
            if (network.length == 4 && address.length == 16 && isV4Mapped(address)) {
                offset = 12;
            } else {
                return false;
            }
        }
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (address[offset + i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[offset + whole] & mask) == (network[whole] & 0xFF);
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength
                && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** The canonical form, {@code 10.0.0.0/8} or {@code 2001:db8::/32} (RFC 5952 for IPv6). */
    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }

    private static int parsePrefix(String text, int from) {
        int length = text.length() - from;
        if (length < 1 || length > 3) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        // "08" style leading zeros are rejected like in addresses: they are more often a typo than intended.
        return length > 1 && text.charAt(from) == '0' ? -1 : value;
    }

    private static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[4];
        int octet = 0;
        int i = from;
        while (octet < 4) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            // Leading zeros are refused: some stacks read "010" as octal, so its meaning is ambiguous.
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[octet++] = (byte) value;
            if (octet < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == to ? out : null;
    }

    private static byte[] parseV6(String s) {
        int n = s.length();
        byte[] out = new byte[16];
        int words = 0;
        int gap = -1;
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (words >= 8) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < n && i - start < 5 && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 128) {
                value = (value << 4) | Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // An embedded IPv4 address fills the last 32 bits.
                if (words > 6 || parseV4(s, start, n) == null) {
                    return null;
                }
                byte[] v4 = parseV4(s, start, n);
                System.arraycopy(v4, 0, out, words * 2, 4);
                words += 2;
                i = n;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                return null;
            }
            out[words * 2] = (byte) (value >>> 8);
            out[words * 2 + 1] = (byte) value;
            words++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = words;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        if (gap < 0) {
            return words == 8 ? out : null;
        }
        if (words > 7) {
            return null;
        }
        int tailBytes = (words - gap) * 2;
        System.arraycopy(out, gap * 2, out, 16 - tailBytes, tailBytes);
        Arrays.fill(out, gap * 2, 16 - tailBytes, (byte) 0);
        return out;
    }

    private static boolean isV4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static boolean hostBitsZero(byte[] address, int prefix) {
        return Arrays.equals(address, masked(address, prefix));
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return out;
    }

    private static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
        }
        // RFC 5952 section 4.2: compress the longest run of two or more zero words, the first one on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(words[i]));
        }
        return b.toString();
    }
}
