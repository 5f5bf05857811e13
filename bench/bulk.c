#define _POSIX_C_SOURCE 199309L
#include "bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double bulk_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bulk_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* The fixed hash that decides the world's mix (which domains greylist, which users are unknown).
 * It defines the benchmark's world rather than indexing a table, so it is not util/hash.h's:
 * another function would pick other domains and change every count the benchmark reports. */
static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    return x ^ (x >> 16);
}

/* "<c><k>@d<dddd>.example" into buf (at least 32 bytes): a million of these take a tenth of
 * the time snprintf would. */
static const char *address(char *buf, char c, uint32_t k, uint32_t d)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + k % 10);
        k /= 10;
    } while (k);
    char *p = buf;
    *p++ = c;
    while (n) {
        *p++ = digits[--n];
    }
    memcpy(p, "@d", 2);
    p += 2;
    for (uint32_t div = 1000; div; div /= 10) {
        *p++ = (char)('0' + d / div % 10);
    }
    memcpy(p, ".example", sizeof ".example");
    return buf;
}

static StrId S(World *w, const char *s)
{
    return strpool_intern(w->strings, s);
}

World *bulk_world(uint32_t n)
{
    World *w = world_create();
    w->name = S(w, "bench-bulk");
    w->title = S(w, "newsletter to many domains");
    w->horizon_us = 6 * 3600 * US_PER_S;
    int32_t client = world_add_node(w, NODE_CLIENT, S(w, "newsletter-app"));
    int32_t out = world_add_node(w, NODE_OUTGOING, S(w, "smtp.big.example"));
    int32_t res = world_add_node(w, NODE_RESOLVER, S(w, "dns.big.example"));
    int32_t rres = world_add_node(w, NODE_RESOLVER, S(w, "dns.rcpt.example"));
    w->nodes[client].u.client.address = S(w, "news@big.example");
    w->nodes[client].u.client.submit_to = out;
    world_parse_ip("198.51.100.10", &w->nodes[out].ip);
    w->nodes[out].u.out.resolver = res;
    /* Bounces come home: big.example is local to smtp.big.example. */
    int32_t home = world_add_node(w, NODE_STORE, S(w, "store.big.example"));
    StrId big = S(w, "big.example");
    w->nodes[out].u.out.local_domains = world_strids(w, &big, 1);
    w->nodes[out].u.out.local_domain_count = 1;
    w->nodes[out].u.out.local_store = home;
    w->nodes[home].u.store.mailboxes = calloc(1, sizeof(MailboxCfg));
    w->nodes[home].u.store.mailbox_count = 1;
    w->nodes[home].u.store.mailboxes[0].address = w->nodes[client].u.client.address;
    uint32_t per = (n + BULK_DOMAINS - 1) / BULK_DOMAINS;
    char buf[128];
    MailboxCfg *boxes[BULK_DOMAINS];
    for (uint32_t d = 0; d < BULK_DOMAINS; d++) {
        snprintf(buf, sizeof buf, "d%04u.example", d);
        StrId dom = S(w, buf);
        snprintf(buf, sizeof buf, "mx.d%04u.example", d);
        StrId host = S(w, buf);
        int32_t mx = world_add_node(w, NODE_INCOMING, host);
        snprintf(buf, sizeof buf, "store.d%04u.example", d);
        int32_t store = world_add_node(w, NODE_STORE, S(w, buf));
        snprintf(buf, sizeof buf, "spamd.d%04u.example", d);
        int32_t filter = world_add_node(w, NODE_FILTER, S(w, buf));
        WorldNode *m = &w->nodes[mx];
        m->ip = (100u << 24) | (64u << 16) | d;
        m->u.in.domains = world_strids(w, &dom, 1);
        m->u.in.domain_count = 1;
        m->u.in.store = store;
        m->u.in.filter = filter;
        m->u.in.resolver = rres;
        m->u.in.quota = QUOTA_PERMANENT;
        m->u.in.greylist = mix(d) % 100 < 3;
        if (mix(d + 7777) % 100 < 1) {
            StrId zone = S(w, "zen.example");
            m->u.in.dnsbl = world_strids(w, &zone, 1);
            m->u.in.dnsbl_count = 1;
        }
        if (d == 0) {
            m->u.in.concurrency = 2;
            m->u.in.backlog = 2;
            m->u.in.process_us = 50 * US_PER_MS;
        }
        w->nodes[filter].u.filter.store = store;
        StoreCfg *st = &w->nodes[store].u.store;
        st->mailboxes = calloc(per, sizeof *st->mailboxes);
        st->mailbox_count = per;
        boxes[d] = st->mailboxes;
        for (uint32_t k = 0; k < per; k++) {
            st->mailboxes[k].address = S(w, address(buf, 'u', k, d));
            st->mailboxes[k].quota_bytes = 51200000;
            st->mailboxes[k].used_bytes = mix(d * 100003u + k) % 100 < 2 ? 51200000 : 0;
        }
        DnsRecord *r = world_add_record(w);
        r->name = dom;
        r->type = DNS_MX;
        r->pref = 10;
        r->host = host;
        r = world_add_record(w);
        r->name = host;
        r->type = DNS_A;
        r->addr = m->ip;
    }
    DnsRecord *r = world_add_record(w);
    r->name = S(w, "10.100.51.198.zen.example");
    r->type = DNS_A;
    r->addr = (127u << 24) | 2;
    StrId subject = S(w, "Our autumn newsletter");
    StrId body = S(w, "Dear reader, here is what happened this month. Read more at "
                      "https://big.example/news/autumn and unsubscribe at https://big.example/u");
    /* One mailing, a copy per recipient every 0.5 ms: recipient i is user i / 1000 of domain
     * i % 1000, or (5 %) an address with no mailbox. */
    StrId *to = malloc(sizeof *to * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = i % BULK_DOMAINS, k = i / BULK_DOMAINS;
        bool unknown = mix(i + 424242u) % 100 < 5;
        to[i] = unknown ? S(w, address(buf, 'x', k, d)) : boxes[d][k].address;
    }
    MessageSpec *s = world_add_spec(w);
    s->id = S(w, "n");
    s->from = w->nodes[client].u.client.address;
    s->to = world_strids(w, to, n);
    s->to_count = n;
    s->subject = subject;
    s->body = body;
    s->one_per_recipient = true;
    s->every_us = 500;
    free(to);
    Action *a = world_add_action(w);
    a->kind = ACT_SEND;
    a->at_us = 0;
    a->spec = 0;
    world_finalize(w);
    return w;
}
