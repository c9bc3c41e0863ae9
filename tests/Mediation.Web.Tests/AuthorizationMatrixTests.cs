using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mediation.Application.Features.Supervision.GenerateDigest;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using MediatR;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>
/// Every endpoint of the served OpenAPI document and every page, asked by every role about a case or unit of their own
/// and of someone else's, against the status written in the table below; and no answer carries a case the asker may not read.
/// </summary>
public sealed class AuthorizationMatrixTests : IClassFixture<CountyDemoHost>
{
    // Who asks, in the order of the table's columns. "" is nobody signed in.
    // The host holds the county demo: 临山 as in the one-street demo, the second street 河西 ("hx-") and the county offices.
    private static readonly string[] Askers = ["", "cun01-1", "cun02-1", "wangge01", "zhan1-1", "zhan2-1", "zhongxin1", "zhuren", "xinfang1", "admin",
        "hx-cun01-1", "hx-admin", "xian-xinfang1", "xian-sifa1", "xian-admin"];

    private enum On
    {
        Nothing,
        CaseOfVillage01,
        CaseOfVillage06,
        UnitVillage01,
        UnitVillage06,
        AnAccount,
        AUnit,
    }

    private sealed record Row(string Method, string Route, On On, params int[] Expected);

    // Case commands carry a version nobody saw (999): the holder reaches the case and hears 409, nothing changes.
    //                                                       anon cun01 cun02 wangge zhan1 zhan2 zhongxin zhuren xinfang admin | hx-cun01 hx-admin xian-xinfang xian-sifa xian-admin
    // A follow-up visit is looked up on the case: the holder hears that visit 1 is not one of this case's (404).
    private static Row Command(string path, On on) => on == On.CaseOfVillage01 && path == "follow-ups"
        ? new("POST", "/api/cases/{id}/" + path, on, 401, 404, 404, 404, 403, 404, 403, 403, 403, 404, 404, 404, 403, 403, 404)
        : on == On.CaseOfVillage01
        ? new("POST", "/api/cases/{id}/" + path, on, 401, 409, 404, 409, 403, 404, 403, 403, 403, 404, 404, 404, 403, 403, 404)
        : new("POST", "/api/cases/{id}/" + path, on, 401, 404, 404, 404, 404, 403, 403, 403, 403, 404, 404, 404, 403, 403, 404);

    private static readonly Row[] Table =
    [
        //                                                          anon cun01 cun02 wangge zhan1 zhan2 zhongxin zhuren xinfang admin | hx-cun01 hx-admin xian-xinfang xian-sifa xian-admin
        new("GET", "/api/cases", On.Nothing,                        401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/cases", On.UnitVillage01,                  401, 200, 404, 200, 200, 404, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/cases", On.UnitVillage06,                  401, 404, 404, 404, 404, 200, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("POST", "/api/cases", On.Nothing,                       401, 201, 201, 201, 201, 201, 201, 201, 403, 403, 201, 403, 403, 403, 403),
        new("GET", "/api/cases/{id}", On.CaseOfVillage01,           401, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404, 404, 200, 200, 404),
        new("GET", "/api/cases/{id}", On.CaseOfVillage06,           401, 404, 404, 404, 404, 200, 200, 200, 200, 404, 404, 404, 200, 200, 404),
        .. new[] { "accept", "decline", "sessions", "resolve", "failure", "escalate", "refer", "withdraw", "close", "reopen", "suspend", "resume", "actions", "follow-ups" }
            .SelectMany(path => new[] { Command(path, On.CaseOfVillage01), Command(path, On.CaseOfVillage06) }),
        new("GET", "/api/reports/counts", On.Nothing,               401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/reports/counts", On.UnitVillage01,         401, 200, 404, 200, 200, 404, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/reports/counts", On.UnitVillage06,         401, 404, 404, 404, 404, 200, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/reports/settlement", On.Nothing,           401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/reports/settlement", On.UnitVillage01,     401, 200, 404, 200, 200, 404, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/reports/settlement", On.UnitVillage06,     401, 404, 404, 404, 404, 200, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/reports/digests", On.Nothing,              401, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 200, 200, 403),
        new("GET", "/api/reports/dashboard", On.Nothing,            401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/reports/dashboard", On.UnitVillage01,      401, 200, 404, 200, 200, 404, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/reports/dashboard", On.UnitVillage06,      401, 404, 404, 404, 404, 200, 200, 200, 200, 403, 404, 403, 200, 200, 403),
        new("GET", "/api/feed/escalations", On.Nothing,             401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/inbox", On.Nothing,                        401, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/api/admin/staff", On.Nothing,                  401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/staff", On.Nothing,                 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 422, 403, 403, 200),
        new("POST", "/api/admin/staff/{id}/assignment", On.AnAccount, 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        new("POST", "/api/admin/staff/{id}/password", On.AnAccount, 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        new("POST", "/api/admin/staff/{id}/deactivation", On.AnAccount, 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        new("POST", "/api/admin/staff/{id}/reactivation", On.AnAccount, 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        new("GET", "/api/admin/timers", On.Nothing,                 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        // No timer 0 exists: the administrator is let through to hear so.
        new("POST", "/api/admin/timers/{id}/retry", On.Nothing,     401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("POST", "/api/admin/timers/{id}/cancel", On.Nothing,    401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        // Streets are the county's to compare and the county administrator's to create.
        new("GET", "/api/county/comparison", On.Nothing,            401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403),
        new("POST", "/api/admin/streets", On.Nothing,               401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
        new("GET", "/api/admin/units", On.Nothing,                  401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/units", On.Nothing,                 401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        new("POST", "/api/admin/units/{id}/name", On.AUnit,         401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403, 403, 200),
        // The workflow is what the office walls show: public, like the health check.
        new("GET", "/api/workflow", On.Nothing,                     200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/health", On.Nothing,                           200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/api/session", On.Nothing,                      401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("POST", "/api/session", On.Nothing,                     401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
        new("DELETE", "/api/session", On.Nothing,                   204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204),

        // Pages: 302 is the way to the sign-in page.
        new("GET", "/", On.Nothing,                                 302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/signin", On.Nothing,                           200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/status/{code}", On.Nothing,                    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/inbox", On.Nothing,                            302, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 200, 200, 403),
        new("GET", "/workflow", On.Nothing,                         302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        new("GET", "/dashboard", On.Nothing,                        302, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403, 200, 200, 403),
        new("GET", "/county", On.Nothing,                           302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403),
        new("GET", "/admin", On.Nothing,                            302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("GET", "/admin/timers", On.Nothing,                     302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("GET", "/cases/new", On.Nothing,                        302, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 403, 403, 403, 403),
        new("GET", "/cases/{id}", On.CaseOfVillage01,               302, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404, 404, 200, 200, 404),
        new("GET", "/cases/{id}", On.CaseOfVillage06,               302, 404, 404, 404, 404, 200, 200, 200, 200, 404, 404, 404, 200, 200, 404),
        // The audit trail of administration: every administrator, each seeing their own street's (the county's, all).
        new("GET", "/api/admin/audit", On.Nothing,                  401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("GET", "/admin/audit", On.Nothing,                      302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        // Workflow migrations: administrators only; the demo ships no migration file, so any id is unknown (404).
        new("GET", "/api/admin/workflow-migrations", On.Nothing,    401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/workflow-migrations/{id}/preview", On.Nothing, 401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("POST", "/api/admin/workflow-migrations/{id}/apply", On.Nothing, 401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("GET", "/admin/migrations", On.Nothing,                 302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        // Webhooks: each street's administrator subscribes for their street; the county's names the street (422 without it). No subscription or delivery 0.
        new("GET", "/api/admin/webhooks", On.Nothing,               401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/webhooks", On.Nothing,              401, 403, 403, 403, 403, 403, 403, 403, 403, 201, 403, 201, 403, 403, 422),
        new("POST", "/api/admin/webhooks/{id}/active", On.Nothing,  401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("DELETE", "/api/admin/webhooks/{id}", On.Nothing,       401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("GET", "/api/admin/webhooks/deliveries", On.Nothing,    401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/webhooks/deliveries/{id}/replay", On.Nothing, 401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("GET", "/admin/webhooks", On.Nothing,                   302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        // Intake from other systems: an API key only (no staff session reaches it); system accounts are administered per street.
        new("POST", "/api/intake/cases", On.Nothing,                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
        new("GET", "/api/intake/cases/{externalReference}", On.Nothing, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
        new("GET", "/admin/intake", On.Nothing,                     302, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("GET", "/api/admin/intake/accounts", On.Nothing,        401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 200),
        new("POST", "/api/admin/intake/accounts", On.Nothing,       401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 422, 403, 403, 200),
        new("POST", "/api/admin/intake/accounts/{id}/keys", On.Nothing, 401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
        new("POST", "/api/admin/intake/keys/{id}/revocation", On.Nothing, 401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 404, 403, 403, 404),
    ];

    // Who may read each fixture case; everyone else must not find its number or summary in any answer.
    private static readonly string[] ReadVillage01 = ["cun01-1", "wangge01", "zhan1-1", "zhongxin1", "zhuren", "xinfang1", "xian-xinfang1", "xian-sifa1"];
    private static readonly string[] ReadStation2 = ["zhan2-1", "zhongxin1", "zhuren", "xinfang1", "xian-xinfang1", "xian-sifa1"];

    private readonly ApiHost _host;

    public AuthorizationMatrixTests(CountyDemoHost county) => _host = county.Host;

    [Fact]
    public async Task EveryEndpointAndPage_AnswersEachRole_AsTheTableSays_AndShowsNoCaseOutsideTheirScope()
    {
        var world = await World.MakeAsync(_host);

        var described = await DescribedEndpointsAsync();
        var tabled = Table.Where(r => IsApi(r.Route)).Select(r => $"{r.Method} {r.Route}").ToHashSet();
        Assert.Empty(described.Except(tabled));
        Assert.Empty(tabled.Except(described));
        var pages = PageRoutes();
        Assert.Empty(pages.Except(Table.Select(r => r.Route)));

        var clients = new Dictionary<string, HttpClient>();
        foreach (var asker in Askers)
            clients[asker] = asker.Length == 0 ? Anonymous() : await _host.SignedInAs(asker);

        var wrong = new List<string>();
        var leaks = new List<string>();
        foreach (var row in Table)
        {
            for (var i = 0; i < Askers.Length; i++)
            {
                var asker = Askers[i];
                // Signing out ends the session: that row gets a session of its own.
                var client = row.Method == "DELETE" && asker.Length > 0 ? await _host.SignedInAs(asker) : clients[asker];
                var (status, mediaType, body) = await AskAsync(client, row, world);
                if (status != row.Expected[i])
                    wrong.Add($"{row.Method} {row.Route} on {row.On} as '{asker}': {status}, the table says {row.Expected[i]} ({Shorten(body)})");
                // A person refused a page reads the status page in their language, not the API's problem+json.
                else if (status >= 400 && !IsApi(row.Route) && mediaType != "text/html")
                    wrong.Add($"{row.Method} {row.Route} as '{asker}': refused with {mediaType}, not the status page");
                foreach (var (secret, readers) in world.Secrets)
                {
                    if (!readers.Contains(asker) && body.Contains(secret, StringComparison.Ordinal))
                        leaks.Add($"{row.Method} {row.Route} on {row.On} as '{asker}' shows '{secret}'");
                }
            }
        }
        Assert.True(wrong.Count + leaks.Count == 0, string.Join('\n', wrong.Concat(leaks)));
    }

    [Fact]
    public async Task AStationMediatorsDigest_HoldsTheirStationsCases_AndNoneOfAnotherStation()
    {
        var world = await World.MakeAsync(_host);
        var station1 = await _host.SignedInAs("zhan1-1");
        var digests = JsonDocument.Parse(await station1.GetStringAsync("/api/reports/digests")).RootElement;
        var cases = digests.EnumerateArray().SelectMany(d => d.GetProperty("units").EnumerateArray()).SelectMany(u => u.GetProperty("cases").EnumerateArray())
            .Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(world.Village01Case, cases);
        Assert.DoesNotContain(world.Village06Case, cases);
        Assert.DoesNotContain(world.Station2Case, cases);

        // The center still sees the whole street in the same digest.
        var center = await _host.SignedInAs("zhuren");
        var all = JsonDocument.Parse(await center.GetStringAsync("/api/reports/digests")).RootElement;
        var street = all.EnumerateArray().SelectMany(d => d.GetProperty("units").EnumerateArray()).SelectMany(u => u.GetProperty("cases").EnumerateArray())
            .Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(world.Village06Case, street);
        Assert.Contains(world.Station2Case, street);
    }

    private async Task<HashSet<string>> DescribedEndpointsAsync()
    {
        var document = JsonDocument.Parse(await Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        return document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();
    }

    private HashSet<string> PageRoutes() =>
        _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.Any(m => m is PageActionDescriptor))
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/').Replace(":long", "", StringComparison.Ordinal).Replace(":int", "", StringComparison.Ordinal))
            .Where(r => r != "/Index")
            .ToHashSet();

    private static bool IsApi(string route) => route.StartsWith("/api", StringComparison.Ordinal) || route == "/health";

    private HttpClient Anonymous() => _host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static async Task<(int Status, string? MediaType, string Body)> AskAsync(HttpClient client, Row row, World world)
    {
        var path = row.Route
            .Replace("{id}", (row.On switch
            {
                On.CaseOfVillage01 => world.Village01Case,
                On.CaseOfVillage06 => world.Village06Case,
                On.AnAccount => world.Account,
                On.AUnit => world.Unit,
                _ => 0,
            }).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{code}", "404", StringComparison.Ordinal);
        path += row.On switch
        {
            On.UnitVillage01 => $"?unitId={world.Village01}",
            On.UnitVillage06 => $"?unitId={world.Village06}",
            _ => "",
        };
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), path);
        if (row.Method == "POST")
            request.Content = JsonContent.Create(Body(row.Route, world), options: ApiHost.Json);

        if (row.Route == "/api/feed/escalations")
        {
            // A stream that stays open: its status and first bytes are the answer.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var first = streamed.IsSuccessStatusCode ? "" : await streamed.Content.ReadAsStringAsync(timeout.Token);
            return ((int)streamed.StatusCode, streamed.Content.Headers.ContentType?.MediaType, first);
        }
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    // A body each endpoint accepts as well-formed and valid, so the answer is about who asks, not what they sent.
    private static object Body(string route, World world) => route[(route.LastIndexOf('/') + 1)..] switch
    {
        "cases" => new
        {
            channel = "walkIn", category = "neighbour", summary = "矩阵登记：院墙渗水", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "刘桂兰" }, new { role = "respondent", name = "陈建国" } },
        },
        "accept" or "resume" => new { expectedVersion = 999 },
        "sessions" => new { expectedVersion = 999, heldAt = "2026-03-01T02:00:00Z", place = "调解室", attendees = "双方", summary = "陈述意见" },
        "resolve" => new { expectedVersion = 999, terms = "赔偿两千元", acceptedByParties = true, dueDates = Array.Empty<string>() },
        "refer" => new { expectedVersion = 999, target = "court", receivingBody = "临山人民法院", reason = "诉调对接" },
        "close" => new { expectedVersion = 999, feedbackMethod = "phone", feedbackSummary = "已告知结果" },
        "actions" => new { expectedVersion = 999, action = "accept", note = "矩阵" },
        "follow-ups" => new { expectedVersion = 999, followUpId = 1, method = "phone", satisfaction = "satisfied", performance = "performed", notes = "回访" },
        "decline" or "failure" or "escalate" or "withdraw" or "reopen" or "suspend" => new { expectedVersion = 999, reason = "矩阵检查" },
        "session" => new { userName = "nobody-here", password = "Wrong2026" },
        "staff" => new { userName = "matrix-" + Guid.NewGuid().ToString("N")[..8], displayName = "矩阵", role = "villageMediator", unitId = world.Village01, password = "Matrix2026" },
        "assignment" => new { role = "villageMediator", unitId = world.Village01 },
        "password" => new { password = "Matrix2027" },
        "units" => new { parentId = world.Station1, name = "矩阵调解点" + Guid.NewGuid().ToString("N")[..4], kind = "villagePoint" },
        "deactivation" or "reactivation" or "retry" or "cancel" or "preview" or "apply" or "replay" or "keys" or "revocation" => new { },
        "webhooks" => new { url = "http://127.0.0.1:9/matrix-hook", events = new[] { "case.closed" } },
        "active" => new { active = false, expectedVersion = 0 },
        "accounts" => new { name = "矩阵系统", unitId = world.Village01, channel = "hotline12345" },
        "name" => new { name = "矩阵调解点" + Guid.NewGuid().ToString("N")[..4] },
        "streets" => new { name = "矩阵街道" + Guid.NewGuid().ToString("N")[..4], code = string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('A' + c % 26)).Take(8)) },
        var other => throw new InvalidOperationException($"No body for {route} ({other})."),
    };

    private static string Shorten(string body) => body.Length > 300 ? body[..300] : body;

    /// <summary>
    /// The cases the table asks about: one at village 01 (station 1), one at village 06 (station 2), one escalated to
    /// station 2; a digest made after them; an account and a unit an administrator may change.
    /// </summary>
    private sealed record World(long Village01, long Village06, long Station1, long Village01Case, long Village06Case, long Station2Case, long Account, long Unit,
        IReadOnlyList<(string Secret, string[] Readers)> Secrets)
    {
        private static int _digests;

        public static async Task<World> MakeAsync(ApiHost host)
        {
            var village01 = await host.SignedInAs("cun01-1");
            var village06 = await host.SignedInAs("cun06-1");
            var village07 = await host.SignedInAs("cun07-1");
            var v1 = await RegisterAsync(village01, "矩阵甲：东关排水沟堵塞");
            var v6 = await RegisterAsync(village06, "矩阵乙：西关宅基地界址");
            var s2 = await RegisterAsync(village07, "矩阵丙：张家庄拖欠工钱");
            var accepted = await Json(await village07.PostAsJsonAsync($"/api/cases/{s2.Id}/accept", new { expectedVersion = 1 }));
            await Json(await village07.PostAsJsonAsync($"/api/cases/{s2.Id}/escalate", new { expectedVersion = accepted.GetProperty("version").GetInt32(), reason = "涉及多户" }));

            var admin = await host.SignedInAs("admin");
            var units = await Json(await admin.GetAsync("/api/admin/units"));
            var unit01 = (await Json(await village01.GetAsync("/api/session"))).GetProperty("unitId").GetInt64();
            var unit06 = (await Json(await village06.GetAsync("/api/session"))).GetProperty("unitId").GetInt64();
            var station1 = units.EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == unit01).GetProperty("parentId").GetInt64();
            var spare = await Json(await admin.PostAsJsonAsync("/api/admin/units", new { parentId = station1, name = "矩阵备用调解点" + Guid.NewGuid().ToString("N")[..4], kind = "villagePoint" }));
            var account = await Json(await admin.PostAsJsonAsync("/api/admin/staff", new { userName = "matrix-spare-" + Guid.NewGuid().ToString("N")[..6], displayName = "备用", role = "villageMediator", unitId = spare.GetProperty("id").GetInt64(), password = "Spare2026x" }));

            await using (var scope = host.Services.CreateAsyncScope())
            {
                var center = units.EnumerateArray().Single(u => u.GetProperty("parentId").ValueKind == JsonValueKind.Null);
                scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(center.GetProperty("id").GetInt64(), center.GetProperty("path").GetString()!));
                // A period of its own, so this world's cases are in a digest made after them.
                var period = new DateOnly(2030, 1, 7).AddDays(7 * Interlocked.Increment(ref _digests));
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GenerateDigest(DigestKind.WeeklyScreening, period));
            }

            return new World(unit01, unit06, station1, v1.Id, v6.Id, s2.Id, account.GetProperty("id").GetInt64(), spare.GetProperty("id").GetInt64(),
            [
                (v1.Number, ReadVillage01), (v1.Summary, ReadVillage01),
                (v6.Number, ReadStation2), (v6.Summary, ReadStation2),
                (s2.Number, ReadStation2), (s2.Summary, ReadStation2),
            ]);
        }

        private static async Task<(long Id, string Number, string Summary)> RegisterAsync(HttpClient client, string summary)
        {
            var body = new
            {
                channel = "walkIn", category = "neighbour", summary, riskLevel = "low", riskSignals = "none",
                parties = new object[] { new { role = "applicant", name = "周桂芝" }, new { role = "respondent", name = "吴长顺" } },
            };
            var registered = await Json(await client.PostAsJsonAsync("/api/cases", body));
            var id = registered.GetProperty("caseId").GetInt64();
            var number = (await Json(await client.GetAsync($"/api/cases/{id}"))).GetProperty("caseNumber").GetString()!;
            return (id, number, summary);
        }

        private static async Task<JsonElement> Json(HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(Encoding.UTF8.GetBytes(text)).RootElement.Clone();
        }
    }
}

/// <summary>The matrix's host: the county demo (县级部署), whose first street is the one-street demo unchanged.</summary>
public sealed class CountyDemoHost : IDisposable
{
    // Fifteen askers sign in (and out and in again) from one address: the rate limits are other tests' subject.
    public ApiHost Host { get; } = new()
    {
        Settings =
        {
            ["Mediation:DemoSeed"] = "County",
            ["Mediation:SignIn:PerAccountPerMinute"] = "100",
            ["Mediation:SignIn:PerAddressPerMinute"] = "1000",
        },
    };

    public void Dispose() => Host.Dispose();
}
