using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.RecordSession;
using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Domain.Cases;

namespace Mediation.Application.Tests;

/// <summary>Ready-made disputes and steps, so tests read as the story they tell.</summary>
internal static class Disputes
{
    public const string ApplicantPhone = "13905318842";
    public const string ApplicantIdNumber = "370102198803154213";

    public static RegisterCase Neighbour(string summary = "邻居加盖房屋遮挡采光", string? key = null) => new(
        IntakeChannel.WalkIn,
        DisputeCategory.Neighbour,
        summary,
        "申请人称邻居新建二层房屋遮挡其住宅采光，要求拆除或补偿。",
        8000m,
        RiskLevel.Low,
        RiskSignals.None,
        [
            new PartyInput(PartyRole.Applicant, "王秀英", ApplicantPhone, ApplicantIdNumber, "东关社区3排12号"),
            new PartyInput(PartyRole.Respondent, "李德胜", "13605310077", null, "东关社区3排14号"),
        ],
        key);

    /// <summary>Wage arrears of a whole work crew: six parties make it a major dispute under the reporting rule.</summary>
    public static RegisterCase CollectiveWageArrears() => new(
        IntakeChannel.Hotline12345,
        DisputeCategory.LabourWages,
        "建筑工地拖欠二十余名农民工工资",
        null,
        360000m,
        RiskLevel.Medium,
        RiskSignals.CollectivePetition,
        [
            new PartyInput(PartyRole.Applicant, "赵立新", "13805310001", null, null),
            new PartyInput(PartyRole.Applicant, "孙春生", "13805310002", null, null),
            new PartyInput(PartyRole.Applicant, "周国庆", "13805310003", null, null),
            new PartyInput(PartyRole.Applicant, "吴振华", "13805310004", null, null),
            new PartyInput(PartyRole.Applicant, "郑永刚", "13805310005", null, null),
            new PartyInput(PartyRole.Respondent, "临山建筑工程有限公司", "05318888000", null, null),
        ]);

    public static async Task<CaseChanged> RegisterAndStartMediation(MediationHost host, string mediator)
    {
        var registered = await host.SendAs(mediator, Neighbour());
        var accepted = await host.SendAs(mediator, new AcceptCase(registered.CaseId, registered.Version));
        return await host.SendAs(mediator, Session(host, accepted));
    }

    public static RecordSession Session(MediationHost host, CaseChanged at) =>
        new(at.CaseId, at.Version, host.Clock.GetUtcNow().UtcDateTime.AddHours(-1), "东关社区调解室", "王秀英、李德胜、调解员", "双方陈述意见，同意再行协商。");
}
