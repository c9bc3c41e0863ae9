using System.Data.Common;
using System.Globalization;
using Mediation.Application.Features.Org;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mediation.Application.Features.Cases.RegisterCase;

internal sealed class RegisterCaseHandler(MediationDbContext db, CaseStore cases, OrgTree tree, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : IRequestHandler<RegisterCase, CaseChanged>
{
    public async Task<CaseChanged> Handle(RegisterCase request, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var now = clock.GetUtcNow().UtcDateTime;
        var unit = await tree.FindAsync(db, actor.UnitId, cancellationToken) ?? throw new NotFoundException($"Unit {actor.UnitId}");
        var center = await tree.FindAsync(db, unit.RootId, cancellationToken) ?? throw new NotFoundException($"Unit {unit.RootId}");

        // The validator has refused missing channel, category, risk and roles: the values are there.
        var parties = request.Parties.Select(p => new Party(p.Role!.Value, p.Name, p.Phone, p.IdNumber, p.Address)).ToList();
        var facts = new DisputeFacts(request.Channel!.Value, request.Category!.Value, request.Summary, request.Description, request.AmountInDispute, request.RiskLevel!.Value, request.RiskSignals, parties);
        var number = await NextCaseNumberAsync(center, now, cancellationToken);

        var id = await cases.NextIdAsync(cancellationToken);

        var @case = DisputeCase.Register(workflows.Current, workflows.Calendar, id, number, actor, unit, center, facts, now);
        await cases.AddAsync(@case, cancellationToken);
        return CaseChanged.From(@case);
    }

    // 案号: street code, year (China time) and a per-street, per-year sequence, e.g. LS-2026-000123.
    private async Task<string> NextCaseNumberAsync(OrgUnit center, DateTime now, CancellationToken cancellationToken)
    {
        var year = (now + Mediation.Workflows.Time.WorkingDayCalendar.ChinaOffset).Year;
        var connection = db.Database.GetDbConnection();
        await using DbCommand command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = "INSERT INTO case_number_counters (street_id, year, last) VALUES (@street, @year, 1) " +
                              "ON CONFLICT (street_id, year) DO UPDATE SET last = case_number_counters.last + 1 RETURNING last";
        AddParameter(command, "@street", center.Id);
        AddParameter(command, "@year", year);
        var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return $"{center.Code}-{year}-{last:D6}";
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
