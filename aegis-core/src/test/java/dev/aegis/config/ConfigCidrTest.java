package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Cidr}: parsing without DNS and allocation-free matching (named Config* to run with the config tests). */
class ConfigCidrTest {

    @Test
    void ipv4Networks() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.prefixLength()).isEqualTo(8);
        assertThat(ten.network()).containsExactly(10, 0, 0, 0);
        assertThat(ten.contains(ip("10.0.0.1"))).isTrue();
        assertThat(ten.contains(ip("10.255.255.255"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.0"))).isFalse();
        assertThat(ten.contains(ip("9.255.255.255"))).isFalse();

        Cidr odd = Cidr.parse("192.168.4.0/22");
        assertThat(odd.contains(ip("192.168.7.255"))).isTrue();
        assertThat(odd.contains(ip("192.168.8.0"))).isFalse();
        assertThat(odd.contains(ip("192.168.3.255"))).isFalse();

        Cidr host = Cidr.parse("127.0.0.1");
        assertThat(host).isEqualTo(Cidr.parse("127.0.0.1/32"));
        assertThat(host.contains(ip("127.0.0.1"))).isTrue();
        assertThat(host.contains(ip("127.0.0.2"))).isFalse();

        Cidr all = Cidr.parse("0.0.0.0/0");
        assertThat(all.contains(ip("203.0.113.9"))).isTrue();
        assertThat(all.contains(ip("::1"))).isFalse();
    }

    @Test
    void ipv6Networks() {
        Cidr doc = Cidr.parse("2001:db8::/32");
        assertThat(doc.contains(ip("2001:db8::1"))).isTrue();
        assertThat(doc.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(doc.contains(ip("2001:db9::"))).isFalse();
        assertThat(doc.contains(ip("10.0.0.1"))).isFalse();

        Cidr loopback = Cidr.parse("::1/128");
        assertThat(loopback.contains(ip("::1"))).isTrue();
        assertThat(loopback.contains(ip("::2"))).isFalse();
        assertThat(Cidr.parse("::1")).isEqualTo(loopback);

        Cidr linkLocal = Cidr.parse("fe80::/10");
        assertThat(linkLocal.contains(ip("febf::1"))).isTrue();
        assertThat(linkLocal.contains(ip("fec0::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(ip("::ffff:1.2.3.4"))).isTrue();
    }

    @Test
    void ipv4MappedAddressesMatchIpv4Networks() {
        byte[] mapped = Cidr.parseAddress("::ffff:10.1.2.3");
        assertThat(mapped).hasSize(16);
        assertThat(Cidr.parse("10.0.0.0/8").contains(mapped)).isTrue();
        assertThat(Cidr.parse("11.0.0.0/8").contains(mapped)).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parseAddress("::10.1.2.3"))).isFalse();
    }

    @Test
    void addressParsingAgreesWithTheJdkOnLiterals() throws Exception {
        for (String literal : new String[] {"0.0.0.0", "255.255.255.255", "1.2.3.4", "::", "::1", "1::", "1::2",
                "2001:db8:0:0:1:0:0:1", "2001:DB8::8:800:200C:417A", "fe80::1:2:3:4:5:6", "1:2:3:4:5:6:7:8",
                "::ffff:192.0.2.128", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4"}) {
            byte[] expected = InetAddress.getByName(literal).getAddress();
            byte[] parsed = Cidr.parseAddress(literal);
            if (expected.length == 4 && literal.indexOf(':') >= 0) {
                // The JDK turns IPv4-mapped IPv6 into IPv4; Cidr keeps the 16 bytes and contains() maps them.
                assertThat(parsed).as(literal).hasSize(16).endsWith(expected);
            } else {
                assertThat(parsed).as(literal).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.-4", "1..2.3", "a.b.c.d",
            "localhost", "1.2.3.4 ", " 1.2.3.4", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "g::1", "::1%eth0", "[::1]", "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3", "::1.2.3.4.5", "1.2.3.4::", "1:2:3:4:5:6:7::8"})
    void notIpLiterals(String text) {
        assertThat(Cidr.parseAddress(text)).as(text).isNull();
    }

    @Test
    void compressedZerosMayStandForOneWord() {
        // RFC 4291 allows "::" for a single zero word even though RFC 5952 says not to write it that way.
        assertThat(Cidr.parseAddress("1:2:3:4:5:6:7::")).containsExactly(
                0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0);
    }

    @Test
    void badNetworks() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("`10.0.0.1/8` has host bits set; did you mean `10.0.0.0/8`?");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
                .hasMessage("`10.0.0.0/33` is not a CIDR: the prefix length after `/` must be a number from 0 to 32");
        assertThatThrownBy(() -> Cidr.parse("example.com/24"))
                .hasMessage("`example.com/24` is not a CIDR: `example.com` is not an IPv4 or IPv6 address");
        for (String bad : new String[] {"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/ 8",
                "/8", "::/129", "fe80::1/10", "10.0.0.0/1000"}) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new Cidr(new byte[5], 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Cidr(new byte[4], 33)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valueSemanticsAndCanonicalText() {
        assertThat(Cidr.parse("2001:DB8:0:0::/64")).isEqualTo(Cidr.parse("2001:db8::/64"))
                .hasSameHashCodeAs(Cidr.parse("2001:db8::/64"))
                .hasToString("2001:db8::/64");
        assertThat(Cidr.parse("2001:db8:0:1:0:0:0:0/64")).hasToString("2001:db8:0:1::/64");
        assertThat(Cidr.parse("::")).hasToString("::/128");
        assertThat(Cidr.parse("1:0:0:2:0:0:0:0/128")).hasToString("1:0:0:2::/128");
        assertThat(Cidr.parse("1:0:1:0:1:0:1:0")).hasToString("1:0:1:0:1:0:1:0/128");
        assertThat(Cidr.parse("192.0.2.0/24")).hasToString("192.0.2.0/24");
        assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/16"));

        byte[] network = {10, 0, 0, 0};
        Cidr cidr = new Cidr(network, 8);
        network[0] = 11;
        cidr.network()[0] = 12;
        assertThat(cidr.contains(ip("10.1.1.1"))).isTrue();
    }

    @Test
    void containsRejectsWrongLengths() {
        Cidr cidr = Cidr.parse("10.0.0.0/8");
        assertThat(cidr.contains(null)).isFalse();
        assertThat(cidr.contains(new byte[0])).isFalse();
        assertThat(cidr.contains(new byte[] {10, 0, 0})).isFalse();
        assertThat(Cidr.parse("::/0").contains(new byte[] {10, 0, 0, 1})).isFalse();
    }

    private static byte[] ip(String literal) {
        byte[] address = Cidr.parseAddress(literal);
        assertThat(address).as(literal).isNotNull();
        return address;
    }
}
