namespace Mediation.Web.Ui;

/// <summary>
/// The screens' words: Chinese by default, English when the "lang" cookie says so. Domain values (states, levels,
/// actions, roles) take their titles from the workflow definition instead.
/// </summary>
public sealed class UiText(IHttpContextAccessor http)
{
    private static readonly Dictionary<string, (string Zh, string En)> Words = new(StringComparer.Ordinal)
    {
        ["product"] = ("矛盾纠纷调处系统", "Dispute mediation"),
        ["signIn"] = ("登录", "Sign in"),
        ["signOut"] = ("退出", "Sign out"),
        ["userName"] = ("用户名", "User name"),
        ["password"] = ("密码", "Password"),
        ["accountStatus"] = ("状态", "Status"),
        ["active"] = ("在用", "Active"),
        ["deactivated"] = ("已停用", "Deactivated"),
        ["deactivate"] = ("停用", "Deactivate"),
        ["reactivate"] = ("启用", "Reactivate"),
        ["demoBanner"] = ("演示数据：本系统运行在演示街道上，账号密码已公开，请勿录入真实纠纷。", "Demo data: this system runs on the demo street with published passwords. Do not record real disputes."),
        ["workbench"] = ("工作台", "Workbench"),
        ["register"] = ("登记纠纷", "Register dispute"),
        ["dashboard"] = ("信访办看板", "Petition office"),
        ["workflow"] = ("流程", "Workflow"),
        ["inbox"] = ("提醒", "Reminders"),
        ["queue"] = ("本单位案件（按紧急程度）", "Our cases, most urgent first"),
        ["followUpsToday"] = ("今日回访", "Follow-ups due today"),
        ["caseNumber"] = ("案号", "Case number"),
        ["summary"] = ("纠纷摘要", "Summary"),
        ["description"] = ("纠纷详情", "Description"),
        ["category"] = ("纠纷类型", "Category"),
        ["channel"] = ("来源", "Channel"),
        ["amount"] = ("涉及金额（元）", "Sum in dispute (yuan)"),
        ["risk"] = ("风险等级", "Risk"),
        ["state"] = ("状态", "State"),
        ["level"] = ("层级", "Level"),
        ["unit"] = ("承办单位", "Unit"),
        ["deadline"] = ("办理时限", "Deadline"),
        ["overdue"] = ("已超期", "Overdue"),
        ["applicant"] = ("申请人", "Applicant"),
        ["respondent"] = ("被申请人", "Respondent"),
        ["name"] = ("姓名", "Name"),
        ["phone"] = ("电话", "Phone"),
        ["idNumber"] = ("身份证号", "ID number"),
        ["address"] = ("住址", "Address"),
        ["parties"] = ("当事人", "Parties"),
        ["timeline"] = ("办理记录", "Timeline"),
        ["actions"] = ("可办理操作", "Actions"),
        ["none"] = ("无", "None"),
        ["submit"] = ("提交", "Submit"),
        ["reason"] = ("理由", "Reason"),
        ["place"] = ("地点", "Place"),
        ["attendees"] = ("参加人员", "Attendees"),
        ["sessionSummary"] = ("调解情况", "What was said"),
        ["terms"] = ("协议内容", "Agreement terms"),
        ["acceptedByParties"] = ("双方已签字确认", "Accepted by the parties"),
        ["dueDates"] = ("履行期限（逗号分隔，如 2026-12-31）", "Due dates (comma separated, e.g. 2026-12-31)"),
        ["target"] = ("移交去向", "Refer to"),
        ["receivingBody"] = ("接收单位", "Receiving body"),
        ["feedbackMethod"] = ("告知方式", "How the applicant was told"),
        ["feedbackSummary"] = ("告知内容", "What they were told"),
        ["major"] = ("重大疑难", "Major"),
        ["failedTimers"] = ("未能执行的定时任务", "Timers that could not fire"),
        ["failedTimersHint"] = ("多次重试仍失败的定时任务：请排查原因后重试或取消，操作将被记录。", "Timers that failed every retry: find the cause, then retry or cancel them; both are recorded."),
        ["noFailedTimers"] = ("没有失败的定时任务", "No failed timers"),
        ["timerKind"] = ("任务类型", "Kind"),
        ["dueAt"] = ("到期时间", "Due"),
        ["attempts"] = ("尝试次数", "Attempts"),
        ["lastError"] = ("最后一次错误", "Last error"),
        ["retry"] = ("重试", "Retry"),
        ["cancel"] = ("取消", "Cancel"),
        ["timerDone"] = ("已处理并记录", "Done and recorded"),
        ["escalationFeed"] = ("实时上报动态", "Live escalations"),
        ["majorAndHighRisk"] = ("重大疑难及高风险案件", "Major and high-risk cases"),
        ["overdueByLevel"] = ("各层级超期案件", "Overdue by level"),
        ["overdueByDistrict"] = ("各管区超期案件", "Overdue by district"),
        ["settledShare"] = ("各层级化解占比（小事不出村）", "Share settled at each level"),
        ["escalationsPerWeek"] = ("每周上报数", "Escalations per week"),
        ["byCategory"] = ("案件类型分布", "Cases by category"),
        ["saved"] = ("已保存", "Saved"),
        ["noCases"] = ("暂无案件", "No cases"),
        ["more"] = ("更多", "More"),
        ["language"] = ("English", "中文"),
        ["notAllowed"] = ("无权访问", "Not allowed"),
        ["notFound"] = ("案件不存在或不在您的辖区内", "No such case in your area"),
        ["addParty"] = ("另一位当事人（可选）", "Another party (optional)"),
        ["levelsTable"] = ("层级与时限", "Levels and time limits"),
        ["days"] = ("天", "days"),
        ["followUps"] = ("回访", "Follow-up visits"),
        ["agreements"] = ("调解协议", "Agreements"),
        ["signedAt"] = ("签订时间", "Signed"),
        ["inForce"] = ("有效", "In force"),
        ["superseded"] = ("已被新协议取代", "Superseded by a later agreement"),
        ["followUpCancelled"] = ("已取消", "Cancelled"),
        ["databaseBusy"] = ("系统正忙，本次操作未保存，请稍后重试。", "The system is busy; nothing was saved. Please try again shortly."),
        ["acceptWithin"] = ("受理时限", "Accept within"),
        ["mediateWithin"] = ("办理时限", "Mediate within"),
        ["onExpiryEscalate"] = ("逾期自动上报至", "When it passes, escalate to"),
        ["onExpiryFlag"] = ("逾期提醒承办人并督办", "When it passes, flag and remind owner and supervisor"),
        ["action.recordFollowUp"] = ("记录回访", "Follow-up recorded"),
        ["action.suspend"] = ("中止计时", "Clock suspended"),
        ["action.resume"] = ("恢复计时", "Clock resumed"),
        ["action.escalateOnExpiry"] = ("时限届满自动上报", "Escalated when the time limit passed"),
        ["followUpMethod"] = ("回访方式（电话/上门）", "How (phone, visit)"),
        ["satisfaction"] = ("满意度", "Satisfaction"),
        ["performance"] = ("协议履行", "Agreement performed"),
        ["notes"] = ("备注", "Notes"),
        ["recordFollowUp"] = ("记录回访", "Record follow-up"),
        ["suspend"] = ("中止计时", "Suspend the clock"),
        ["resume"] = ("恢复计时", "Resume the clock"),
        ["workingDays"] = ("个工作日", "working days"),
        ["admin"] = ("管理", "Administration"),
        ["accounts"] = ("账号", "Accounts"),
        ["role"] = ("角色", "Role"),
        ["newAccount"] = ("新建账号", "New account"),
        ["resetPassword"] = ("重置密码", "Reset password"),
        ["newUnit"] = ("新增调解点", "New unit"),
        ["under"] = ("上级单位", "Under"),
        ["unitKind"] = ("类别", "Kind"),
        ["villagePoint"] = ("村级调解点", "Village mediation point"),
        ["districtStation"] = ("管区调解站", "District mediation station"),
        ["adminMove"] = ("调整角色/单位", "Role and unit"),
        ["save"] = ("保存", "Save"),
        ["ownAccount"] = ("本人账号", "Your own account"),
        ["adminAssigned"] = ("已保存：{0} 现为{1}（{2}），下次操作起生效。", "Saved: {0} is now {1} at {2}, from their next request."),
        ["adminAssignStale"] = ("该账号在您打开页面后已被他人修改，未保存；下表已显示其当前角色和单位，请核对后重新提交。", "Someone changed this account after you opened the page; nothing was saved. Its current role and unit are shown now: check them and submit again."),
        ["adminNotFound"] = ("所选账号或单位不存在，请刷新页面后重试。", "That account or unit does not exist; reload the page and try again."),
        ["confirmDeactivateTitle"] = ("确认停用账号", "Confirm deactivation"),
        ["confirmDeactivateText"] = ("停用后该账号无法登录，其所有登录会话立即结束；办理记录保留，可随时重新启用。确定停用以下账号吗？", "Once deactivated the account cannot sign in and all its sessions end; its history stays and it can be reactivated. Deactivate this account?"),
        ["confirmDeactivate"] = ("确认停用", "Deactivate"),
        ["required"] = ("此项必填", "Please fill this in."),
        ["invalidInput"] = ("填写内容有误，请检查后重新提交。", "This entry is not valid; please check it and submit again."),
        ["changedMeanwhile"] = ("在您填写期间，其他人修改了此案件。页面现已显示最新内容，请核对后再次提交。", "Someone else changed this case meanwhile. The page now shows the latest; please check it and submit again."),
        ["actionNotAllowedNow"] = ("此案件当前的状态不允许该操作。页面现已显示最新内容。", "This action is not allowed in the case's current state. The page now shows the latest."),
        ["notYourAction"] = ("您无权办理该操作。", "You may not take this action."),
        ["county"] = ("街道对比", "Streets compared"),
        ["countyHint"] = ("全县各街道的纠纷化解情况（只读，个人信息已隐去）。", "Every street of the county side by side (read only, personal data masked)."),
        ["street"] = ("街道", "Street"),
        ["registered"] = ("登记数", "Registered"),
        ["open"] = ("在办", "Open"),
        ["settled"] = ("调解成功", "Settled"),
        ["escalatedToCenter"] = ("上报至矛调中心", "Escalated to the center"),
        ["followUpSatisfied"] = ("回访满意率", "Satisfied at follow-up"),
        ["villageShareByStreet"] = ("各街道村级化解占比（小事不出村）", "Share settled in the village, by street"),
        ["newStreet"] = ("新建街道", "New street"),
        ["streetCode"] = ("街道代码（案号前缀，如 LS）", "Street code (case-number prefix, e.g. LS)"),

        // The audit trail of administration (/admin/audit); a new snapshot field is named by "audit.field.<name>".
        ["audit"] = ("操作审计", "Audit trail"),
        ["auditHint"] = ("账号、单位、街道和流程版本的每一次变更：谁、何时、由什么改为什么。记录不可修改或删除。", "Every change of accounts, units, streets and workflow versions: who, when, from what to what. Entries cannot be changed or deleted."),
        ["auditKind"] = ("操作类型", "Change"),
        ["auditActor"] = ("操作人", "By"),
        ["auditFrom"] = ("开始日期", "From"),
        ["auditTo"] = ("结束日期", "To"),
        ["auditFilter"] = ("筛选", "Filter"),
        ["auditAll"] = ("全部", "All"),
        ["auditAt"] = ("时间", "When"),
        ["auditSubject"] = ("对象", "Subject"),
        ["auditChanges"] = ("变更内容", "Changes"),
        ["auditNone"] = ("没有符合条件的记录。", "No entries match."),
        ["auditNoChange"] = ("（无字段变化）", "(no field changed)"),
        ["auditOlder"] = ("更早的记录", "Older entries"),
        ["auditNewest"] = ("回到最新", "Back to the newest"),
        ["auditYes"] = ("是", "Yes"),
        ["auditNo"] = ("否", "No"),
        ["auditSystem"] = ("系统", "System"),
        ["audit.staff.created"] = ("新建账号", "Account created"),
        ["audit.staff.assigned"] = ("调整角色/单位", "Role or unit changed"),
        ["audit.staff.passwordReset"] = ("重置密码", "Password reset"),
        ["audit.staff.deactivated"] = ("停用账号", "Account deactivated"),
        ["audit.staff.reactivated"] = ("启用账号", "Account reactivated"),
        ["audit.staff.sessionsRevoked"] = ("结束登录会话", "Sessions ended"),
        ["audit.unit.added"] = ("新增单位", "Unit added"),
        ["audit.unit.renamed"] = ("单位改名", "Unit renamed"),
        ["audit.street.created"] = ("新建街道", "Street created"),
        ["audit.workflow.published"] = ("发布流程版本", "Workflow version published"),
        ["audit.workflow.republished"] = ("更正未使用的流程版本", "Unused workflow version corrected"),
        ["audit.workflow.casesMigrated"] = ("案件迁移到新流程版本", "Cases moved to a new workflow version"),
        ["audit.webhook.created"] = ("新建 Webhook", "Webhook created"),
        ["audit.webhook.changed"] = ("修改 Webhook", "Webhook changed"),
        ["audit.webhook.secretRotated"] = ("更换 Webhook 密钥", "Webhook secret rotated"),
        ["audit.webhook.deleted"] = ("删除 Webhook", "Webhook deleted"),
        ["audit.apiKey.created"] = ("新建 API 密钥", "API key created"),
        ["audit.apiKey.revoked"] = ("吊销 API 密钥", "API key revoked"),
        ["audit.subject.staff"] = ("账号", "Account"),
        ["audit.subject.unit"] = ("单位", "Unit"),
        ["audit.subject.street"] = ("街道", "Street"),
        ["audit.subject.workflow"] = ("流程版本", "Workflow version"),
        ["audit.subject.webhook"] = ("Webhook", "Webhook"),
        ["audit.subject.apiKey"] = ("API 密钥", "API key"),
        ["audit.systemAccount.created"] = ("新建系统账号", "System account created"),
        ["audit.subject.systemAccount"] = ("系统账号", "System account"),
        ["audit.field.userName"] = ("用户名", "User name"),
        ["audit.field.displayName"] = ("姓名", "Name"),
        ["audit.field.role"] = ("角色", "Role"),
        ["audit.field.unitName"] = ("所在单位", "Unit"),
        ["audit.field.active"] = ("账号状态", "Status"),
        ["audit.field.lockedOut"] = ("已锁定", "Locked out"),
        ["audit.field.sessionsEnded"] = ("结束的登录会话", "Sessions ended"),
        ["audit.field.code"] = ("代码", "Code"),
        ["audit.field.name"] = ("名称", "Name"),
        ["audit.field.kind"] = ("类别", "Kind"),
        ["audit.field.parentName"] = ("上级单位", "Under"),
        ["audit.field.key"] = ("流程", "Workflow"),
        ["audit.field.version"] = ("版本", "Version"),
        ["audit.field.file"] = ("文件", "File"),
        ["audit.field.fingerprint"] = ("内容指纹（SHA-256）", "Content fingerprint (SHA-256)"),
        ["audit.kind.streetCenter"] = ("矛调中心", "Street mediation center"),
        ["audit.kind.districtStation"] = ("管区调解站", "District mediation station"),
        ["audit.kind.villagePoint"] = ("村级调解点", "Village mediation point"),
        ["audit.kind.countyOffice"] = ("县级单位", "County office"),
    };

    public bool English => http.HttpContext?.Request.Cookies["lang"] == "en";

    /// <summary>A validation message in the screen's language: the rule is told by the field it concerns.</summary>
    public string FieldError(string field, string message)
    {
        if (IsRequired(message))
            return this["required"];
        if (English)
            return message;
        return field switch
        {
            _ when field.EndsWith(".phone", StringComparison.Ordinal) => "电话号码格式不正确（7–20位数字）",
            _ when field.EndsWith(".idNumber", StringComparison.Ordinal) => "身份证号码不正确（18位，校验位须正确）",
            "amountInDispute" => "涉及金额不能为负数",
            "parties" => "至少需要一名申请人",
            _ => message,
        };
    }

    private static bool IsRequired(string message) => message.Contains("' is required", StringComparison.Ordinal);

    /// <summary>
    /// A refusal of one field (a validator's or a domain rule's) in the screen's language and in plain words: no field
    /// names in quotes, no version numbers. Chinese comes from the rule where it has some.
    /// </summary>
    public string Refusal(string field, string message, string? chinese)
    {
        if (IsRequired(message))
            return this["required"];
        var tooLong = System.Text.RegularExpressions.Regex.Match(message, @"must be at most (\d+) characters");
        if (tooLong.Success)
            return English ? $"At most {tooLong.Groups[1].Value} characters." : $"最多 {tooLong.Groups[1].Value} 个字";
        var between = System.Text.RegularExpressions.Regex.Match(message, @"must lie between (\S+) and (\S+?)\.?$");
        if (between.Success)
            return English ? $"Give a date between {between.Groups[1].Value} and {between.Groups[2].Value}." : $"日期须在 {between.Groups[1].Value} 至 {between.Groups[2].Value} 之间";
        if (English)
            return message;
        return chinese ?? FieldError(field, message) switch
        {
            var m when m != message => m,
            _ => this["invalidInput"],
        };
    }

    public string this[string key] => Words.TryGetValue(key, out var w) ? (English ? w.En : w.Zh) : key;

    public string Of(Mediation.Workflows.Definitions.LocalizedText text) => English ? text.En : text.Zh;

    public string Time(DateTime? utc) => utc is { } t ? (t + Mediation.Workflows.Time.WorkingDayCalendar.ChinaOffset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "—";

    public string Enum<T>(T value)
        where T : struct, System.Enum => EnumWords.TryGetValue($"{typeof(T).Name}.{value}", out var w) ? (English ? w.En : w.Zh) : value.ToString();

    private static readonly Dictionary<string, (string Zh, string En)> EnumWords = new(StringComparer.Ordinal)
    {
        ["TimerKind.LevelDeadline"] = ("办理时限到期", "Level time limit"),
        ["TimerKind.AcceptanceDeadline"] = ("受理时限到期", "Acceptance time limit"),
        ["TimerKind.ProgressNotice"] = ("进展告知提醒", "Progress notice"),
        ["TimerKind.FollowUpDue"] = ("回访到期", "Follow-up due"),
        ["TimerKind.FollowUpGrace"] = ("回访逾期督办", "Follow-up overdue"),
        ["IntakeChannel.WalkIn"] = ("来访", "Walk-in"),
        ["IntakeChannel.Phone"] = ("来电", "Phone"),
        ["IntakeChannel.Letter"] = ("来信", "Letter"),
        ["IntakeChannel.Online"] = ("网上", "Online"),
        ["IntakeChannel.Hotline12345"] = ("12345转办", "12345 hotline"),
        ["IntakeChannel.GridDiscovery"] = ("网格排查", "Grid discovery"),
        ["IntakeChannel.DepartmentReferral"] = ("部门移交", "Department referral"),
        ["DisputeCategory.Neighbour"] = ("邻里纠纷", "Neighbour"),
        ["DisputeCategory.MarriageFamily"] = ("婚姻家庭", "Marriage & family"),
        ["DisputeCategory.PropertyService"] = ("物业纠纷", "Property service"),
        ["DisputeCategory.LandHomestead"] = ("土地/宅基地", "Land & homestead"),
        ["DisputeCategory.LabourWages"] = ("劳动/欠薪", "Labour & wages"),
        ["DisputeCategory.ContractDebt"] = ("合同/债务", "Contract & debt"),
        ["DisputeCategory.Damages"] = ("损害赔偿", "Damages"),
        ["DisputeCategory.LandAcquisitionDemolition"] = ("征地拆迁", "Land acquisition"),
        ["DisputeCategory.Other"] = ("其他", "Other"),
        ["RiskLevel.Low"] = ("低", "Low"),
        ["RiskLevel.Medium"] = ("中", "Medium"),
        ["RiskLevel.High"] = ("高", "High"),
        ["ReferralTarget.Court"] = ("法院（诉调对接）", "Court"),
        ["ReferralTarget.Police"] = ("公安（警调对接）", "Police"),
        ["ReferralTarget.Arbitration"] = ("仲裁", "Arbitration"),
        ["ReferralTarget.Department"] = ("政府部门", "Department"),
        ["Satisfaction.Satisfied"] = ("满意", "Satisfied"),
        ["Satisfaction.BasicallySatisfied"] = ("基本满意", "Basically satisfied"),
        ["Satisfaction.Unsatisfied"] = ("不满意", "Unsatisfied"),
        ["Performance.Performed"] = ("履行", "Performed"),
        ["Performance.PartlyPerformed"] = ("部分履行", "Partly performed"),
        ["Performance.NotPerformed"] = ("未履行", "Not performed"),
        ["PartyRole.Applicant"] = ("申请人", "Applicant"),
        ["PartyRole.Respondent"] = ("被申请人", "Respondent"),
    };
}
