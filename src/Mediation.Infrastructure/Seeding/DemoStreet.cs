using System.Reflection;
using System.Text.Json;
using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Infrastructure.Seeding;

/// <summary>
/// The demo street modelled on the reference practice: 1 street center, 9 district stations, 38 village points,
/// a handful of mediators per unit, grid workers, the petition office and an administrator.
/// The tree is data (demo-street.json); another town's tree is another file.
/// </summary>
public static class DemoStreet
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The published password of every demo account: it exists only in a database seeded with the demo street.</summary>
    public const string Password = "Demo@2026";

    public sealed record Account(string UserName, string DisplayName, string Role, string UnitName);

    /// <summary>Whether this database was seeded with the demo street (a row written with the seed, whatever the configuration says now).</summary>
    public static Task<bool> IsPresentAsync(MediationDbContext db, CancellationToken cancellationToken = default) =>
        db.InstallationFacts.AnyAsync(f => f.Key == InstallationFact.DemoData, cancellationToken);

    /// <summary>
    /// Seeds an empty database (no unit, no account), in one transaction with the demo marker; every demo account gets
    /// <paramref name="passwordHash"/> when given. Returns the accounts created, or none when the database is not empty.
    /// </summary>
    public static Task<IReadOnlyList<Account>> SeedAsync(MediationDbContext db, DateTime nowUtc, Func<StaffMember, string>? passwordHash = null, CancellationToken cancellationToken = default) =>
        SeedAsync(db, nowUtc, passwordHash, county: false, cancellationToken);

    /// <summary>
    /// 县级演示: the demo street, a second smaller street (河西, accounts prefixed "hx-") and the county offices with their
    /// accounts (xian-admin, xian-xinfang1..2, xian-sifa1..2), into an empty database, in one transaction.
    /// </summary>
    public static Task<IReadOnlyList<Account>> SeedCountyAsync(MediationDbContext db, DateTime nowUtc, Func<StaffMember, string>? passwordHash = null, CancellationToken cancellationToken = default) =>
        SeedAsync(db, nowUtc, passwordHash, county: true, cancellationToken);

    private static async Task<IReadOnlyList<Account>> SeedAsync(MediationDbContext db, DateTime nowUtc, Func<StaffMember, string>? passwordHash, bool county, CancellationToken cancellationToken)
    {
        if (await db.OrgUnits.AnyAsync(cancellationToken) || await db.Staff.AnyAsync(cancellationToken))
            return [];

        var plan = Load("demo-street.json");
        var names = new NameSource(plan.Surnames, plan.GivenNames);
        var accounts = new List<Account>();
        string? hash = null;
        void Staff(string userName, string role, OrgUnit unit)
        {
            var name = names.Next();
            var staff = new StaffMember(0, userName, name, role, unit.Id);
            // One hash for all: these accounts share one published password anyway.
            if (passwordHash is not null)
                staff.SetPasswordHash(hash ??= passwordHash(staff));
            db.Staff.Add(staff);
            accounts.Add(new Account(userName, name, role, unit.Name));
        }

        long nextId = 1;
        var codes = new List<string> { plan.Street.Code };
        SeedStreet(plan, "", ref nextId);
        if (county)
        {
            // The second street starts its ids past room for the first one's growth, so both trees read apart in paths.
            var second = Load("demo-street-hexi.json");
            nextId = Math.Max(nextId, 1000);
            SeedStreet(second, "hx-", ref nextId);
            codes.Add(second.Street.Code);

            nextId = Math.Max(nextId, 9000);
            var center = new OrgUnit(nextId++, "XMT", "县矛盾纠纷调处化解中心", OrgUnitKind.CountyOffice, null);
            var petition = new OrgUnit(nextId++, "XFJ", "县信访局", OrgUnitKind.CountyOffice, null);
            var justice = new OrgUnit(nextId++, "SFJ", "县司法局", OrgUnitKind.CountyOffice, null);
            db.OrgUnits.AddRange(center, petition, justice);
            Staff("xian-admin", Actor.Roles.Administrator, center);
            Staff("xian-xinfang1", Actor.Roles.CountyPetition, petition);
            Staff("xian-xinfang2", Actor.Roles.CountyPetition, petition);
            Staff("xian-sifa1", Actor.Roles.CountyJustice, justice);
            Staff("xian-sifa2", Actor.Roles.CountyJustice, justice);
        }

        db.InstallationFacts.Add(new InstallationFact(InstallationFact.DemoData, string.Join(",", codes), nowUtc));
        await db.SaveChangesAsync(cancellationToken);
        return accounts;

        void SeedStreet(Plan street, string prefix, ref long id)
        {
            var center = new OrgUnit(id++, street.Street.Code, street.Street.Name, OrgUnitKind.StreetCenter, null);
            db.OrgUnits.Add(center);
            Staff(prefix + "zhuren", Actor.Roles.CenterDirector, center);
            for (var i = 1; i <= street.StaffPerUnit[OrgUnitKind.StreetCenter]; i++)
                Staff($"{prefix}zhongxin{i}", Actor.Roles.CenterMediator, center);
            for (var i = 1; i <= street.PetitionOffice; i++)
                Staff($"{prefix}xinfang{i}", Actor.Roles.PetitionOffice, center);
            Staff(prefix + "admin", Actor.Roles.Administrator, center);

            var villageNo = 0;
            for (var d = 0; d < street.Districts.Count; d++)
            {
                var district = street.Districts[d];
                var station = new OrgUnit(id++, $"{street.Street.Code}-{d + 1:D2}", district.Name, OrgUnitKind.DistrictStation, center);
                db.OrgUnits.Add(station);
                for (var i = 1; i <= street.StaffPerUnit[OrgUnitKind.DistrictStation]; i++)
                    Staff($"{prefix}zhan{d + 1}-{i}", Actor.Roles.StationMediator, station);

                for (var v = 0; v < district.Villages.Count; v++)
                {
                    villageNo++;
                    var village = new OrgUnit(id++, $"{station.Code}-{v + 1:D2}", district.Villages[v] + "调解点", OrgUnitKind.VillagePoint, station);
                    db.OrgUnits.Add(village);
                    for (var i = 1; i <= street.StaffPerUnit[OrgUnitKind.VillagePoint]; i++)
                        Staff($"{prefix}cun{villageNo:D2}-{i}", Actor.Roles.VillageMediator, village);
                    for (var i = 1; i <= street.GridWorkersPerVillage; i++)
                        Staff(street.GridWorkersPerVillage == 1 ? $"{prefix}wangge{villageNo:D2}" : $"{prefix}wangge{villageNo:D2}-{i}", Actor.Roles.GridWorker, village);
                }
            }
        }
    }

    private static Plan Load(string file)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + file, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        return JsonSerializer.Deserialize<Plan>(stream, Json)
            ?? throw new InvalidOperationException($"{file} is empty.");
    }

    // Names are drawn in a fixed order so every demo install has the same people.
    private sealed class NameSource(string surnames, IReadOnlyList<string> givenNames)
    {
        private int _next;

        public string Next()
        {
            var i = _next++;
            return surnames[(i * 7) % surnames.Length] + givenNames[(i * 11 + i / givenNames.Count) % givenNames.Count];
        }
    }

    private sealed record Plan(
        StreetPlan Street,
        IReadOnlyList<DistrictPlan> Districts,
        Dictionary<string, int> StaffPerUnit,
        int GridWorkersPerVillage,
        int PetitionOffice,
        string Surnames,
        IReadOnlyList<string> GivenNames);

    private sealed record StreetPlan(string Code, string Name);

    private sealed record DistrictPlan(string Name, IReadOnlyList<string> Villages);
}
