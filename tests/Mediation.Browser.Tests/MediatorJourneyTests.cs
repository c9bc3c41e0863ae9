using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mediation.Browser.Tests;

public partial class MediatorJourneyTests(RunningProduct product) : IClassFixture<RunningProduct>
{
    private static readonly LocatorAssertionsToContainTextOptions Patiently = new() { Timeout = 15_000 };

    [Fact]
    public async Task ADispute_IsRegisteredAtAVillage_EscalatedLiveToTheDashboard_AndResolvedAtTheStation()
    {
        // The petition office is watching before anything happens; its page is never reloaded.
        var petitionOffice = await product.SignedInAs("xinfang1");
        await petitionOffice.GotoAsync(product.BaseUrl + "/dashboard");
        await Expect(petitionOffice.Locator("#feed-status")).ToHaveTextAsync("●", new() { Timeout = 15_000 });

        var village = await product.SignedInAs("cun01-1");
        await RunningProduct.Screenshot(village, "workbench");
        await village.GotoAsync(product.BaseUrl + "/cases/new");
        await Submit(village, village.Locator("#register button[type=submit]"));
        await Expect(village.Locator("[data-field=summary]")).ToBeVisibleAsync();
        await Expect(village.Locator("[data-field='parties[0].name']")).ToBeVisibleAsync();
        await RunningProduct.Screenshot(village, "register-errors");

        await village.FillAsync("#Summary", "邻居加盖房屋遮挡采光");
        await village.FillAsync("#Parties_0_Name", "王秀英");
        await village.FillAsync("#Parties_0_Phone", "13905318842");
        await village.FillAsync("#Parties_1_Name", "李德胜");
        await Submit(village, village.Locator("#register button[type=submit]"));
        await Expect(village).ToHaveURLAsync(CasePage());
        var caseUrl = village.Url;
        var caseNumber = (await village.Locator("h1").InnerTextAsync()).Split(" · ")[0];

        await Act(village, "accept");
        await Act(village, "recordSession", ("place", "东关社区调解室"), ("attendees", "双方"), ("summary", "双方意见分歧较大"));
        await Act(village, "escalate", ("reason", "涉及多户，提请管区调解"));
        await Expect(village.Locator("#case-state")).ToContainTextAsync("管区调解站");
        await RunningProduct.Screenshot(village, "case-escalated");

        await Expect(petitionOffice.Locator("#feed")).ToContainTextAsync(caseNumber, Patiently);
        await RunningProduct.Screenshot(petitionOffice, "dashboard");

        var station = await product.SignedInAs("zhan1-1");
        await Expect(station.Locator("#queue")).ToContainTextAsync(caseNumber);
        await station.GotoAsync(caseUrl);
        await Act(station, "accept");
        await Act(station, "recordSession", ("place", "城东管区调解站"), ("attendees", "双方、调解员"), ("summary", "达成一致"));
        await Act(station, "resolve", ("terms", "李德胜补偿王秀英3000元"), ("acceptedByParties", "true"));
        await Act(station, "close", ("method", "电话"), ("summary", "已告知申请人调解结果"));
        await Expect(station.Locator("#case-state")).ToContainTextAsync("已结案");
        await Expect(station.Locator("#timeline")).ToContainTextAsync("结案反馈");
        // Closing scheduled the follow-up visits (回访); the first is recorded from the case page.
        var visit = station.Locator("#follow-ups [data-follow-up]").First;
        await visit.Locator("[name=method]").FillAsync("电话回访");
        await Submit(station, visit.Locator("button[type=submit]"));
        await Expect(station.Locator("#follow-ups")).ToContainTextAsync("满意");
        await Expect(station.Locator("#timeline")).ToContainTextAsync("记录回访");
        await RunningProduct.Screenshot(station, "case-closed");

        await station.GotoAsync(product.BaseUrl + "/workflow");
        await Expect(station.Locator("#workflow-diagram")).ToBeVisibleAsync();
        await RunningProduct.Screenshot(station, "workflow");
        await station.GotoAsync(product.BaseUrl + "/inbox");
        await RunningProduct.Screenshot(station, "inbox");

        // Another village tries the case by its address: for them it does not exist, on the page and in the API.
        var otherVillage = await product.SignedInAs("cun02-1");
        var refused = await otherVillage.GotoAsync(caseUrl);
        Assert.Equal(404, refused!.Status);
        var api = await otherVillage.Context.APIRequest.GetAsync(caseUrl.Replace("/cases/", "/api/cases/", StringComparison.Ordinal));
        Assert.Equal(404, api.Status);
    }

    [Fact]
    public async Task AVillageMediator_CanRegisterOnAPhoneWidthScreen_InChineseOrEnglish()
    {
        var phone = await product.SignedInAs("cun03-1", 390, 844);
        await phone.GotoAsync(product.BaseUrl + "/cases/new");
        await Expect(phone.Locator("label[for=Summary]")).ToHaveTextAsync("纠纷摘要");
        await RunningProduct.Screenshot(phone, "register-phone");

        await RunningProduct.NewDocumentAfter(phone, () => phone.ClickAsync("header.top a[href^='/lang']"));
        await Expect(phone.Locator("label[for=Summary]")).ToHaveTextAsync("Summary");
        await phone.FillAsync("#Summary", "Noise from a workshop at night");
        await phone.FillAsync("#Parties_0_Name", "赵立新");
        await phone.FillAsync("#Parties_1_Name", "孙春生");
        await Submit(phone, phone.Locator("#register button[type=submit]"));
        await Expect(phone).ToHaveURLAsync(CasePage());
        await Expect(phone.Locator("#case-state")).ToContainTextAsync("Awaiting acceptance");
    }

    private static async Task Act(IPage page, string action, params (string Field, string Value)[] inputs)
    {
        var form = page.Locator($"details[data-action={action}]");
        await form.Locator("summary").ClickAsync();
        foreach (var (field, value) in inputs)
        {
            var input = form.Locator($"[name={field}]");
            if (field == "acceptedByParties")
                await input.CheckAsync();
            else
                await input.FillAsync(value);
        }
        await Submit(page, form.Locator("button[type=submit]"));
        await Expect(page.Locator("#action-error")).ToHaveCountAsync(0);
    }

    private static Task Submit(IPage page, ILocator button) => RunningProduct.NewDocumentAfter(page, () => button.ClickAsync());

    [GeneratedRegex(@"/cases/\d+$")]
    private static partial Regex CasePage();
}
