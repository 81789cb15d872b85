package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SqlInjectionTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "admin' OR '1'='1",
        "' or 1=1--",
        "' OR 1=1 -- ",
        "1 or 1=1",
        "1 OR 1=1#",
        "1) or (1=1",
        "x' AnD 'a'='a",
        "' or 'x'='x",
        "admin'--",
        "admin'#",
        "admin'/*",
        "\" or \"\"=\"",
        "'||'",
        "1' union select 1,2,3--",
        "-1 UNION ALL SELECT username, password FROM users",
        "1/**/UnIoN/**/SeLeCt/**/1,2",
        "1 /*!50000union*/ /*!50000select*/ 1",
        "1'\nor\n1=1--",
        "'; DROP TABLE users--",
        "1; exec xp_cmdshell('dir')",
        "1'; waitfor delay '0:0:5'--",
        "1 and sleep(5)",
        "' and benchmark(1000000,md5(1))--",
        "1' and extractvalue(1,concat(0x7e,version()))--",
        "' AND updatexml(1,concat(0x7e,(select user())),1)--",
        "1; select pg_sleep(10)",
        "' union select load_file('/etc/passwd')--",
        "' into outfile '/var/www/x.php'--",
        "1 and 1=(select count(*) from information_schema.tables)",
        "x' order by 3--",
        "' OR 1=1 LIMIT 1--",
        "1 AND (SELECT 1 FROM users)=1",
        " OR 1=1-- ",
        " HAVING 1=1--",
        "@@version",
    })
    void detectsAttacks(String payload) {
        assertThat(SqlInjection.detect(payload)).as(payload).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "O'Reilly",
        "Rock 'n' roll",
        "Don't stop me now",
        "select the best option; drop me a line",
        "1 or 2 people",
        "1 or 2",
        "Please select an item from the list",
        "Union Station",
        "cats and dogs",
        "12345",
        "3.14",
        "2-1",
        "5 * 3 = 15",
        "john.doe@example.com",
        "https://example.com/a/b?c=d",
        "{\"name\":\"bob\",\"age\":3}",
        "2024-01-15",
        "12:30:00",
        "Tom's \"best\" deal",
        "It's 5 o'clock",
        "or else",
        "#hashtag",
        "C# and F#",
        "the students' union",
        "drop me a line",
        "-- signed, Bob",
        "a--b",
        "SELECT",
        "",
    })
    void passesBenign(String value) {
        assertThat(SqlInjection.detect(value)).as(value).isNull();
    }

    @Test
    void nullIsClean() {
        assertThat(SqlInjection.detect(null)).isNull();
    }

    @Test
    void findingNamesFragmentAndShape() {
        Finding f = SqlInjection.detect("admin' OR '1'='1");
        assertThat(f).isNotNull();
        assertThat(f.reason()).contains("fingerprint");
        assertThat(f.fragment()).isNotEmpty();
    }

    @Test
    void hugeInputIsBounded() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < (1 << 20); i++) {
            sb.append("'(;-=".charAt(i % 5));
        }
        String big = sb.toString();
        SqlInjection.detect(big); // warm
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            SqlInjection.detect(big);
        }
        long perCallMicros = (System.nanoTime() - t0) / 10 / 1000;
        assertThat(perCallMicros).isLessThan(20_000);
    }
}
