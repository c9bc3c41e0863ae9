using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Infrastructure;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mediation.Benchmarks;

/// <summary>The product's services over one database (a SQLite file, or a PostgreSQL database), as the web host builds them, without the web.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    // Several writers share one host in the PostgreSQL run.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Mediation.Domain.Org.Actor> _actors = [];

    private BenchHost(ServiceProvider services, string file)
    {
        _services = services;
        File = file;
    }

    public string File { get; }
    public IServiceProvider Services => _services;

    public static Task<BenchHost> StartAsync(string file, SqliteDurability durability, TimeProvider? clock = null) =>
        StartAsync(new MediationOptions { ConnectionString = file, Durability = durability }, clock);

    public static async Task<BenchHost> StartAsync(MediationOptions options, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        if (clock is not null)
            services.AddSingleton(clock);
        services.AddMediation(options);
        services.AddSingleton<Mediation.Application.Features.Administration.IPasswordHashing, IdentityHashing>();
        var provider = services.BuildServiceProvider();
        await provider.PrepareDatabaseAsync();
        return new BenchHost(provider, options.ConnectionString);
    }

    public async Task<T> SendAs<T>(string userName, IRequest<T> request)
    {
        await using var scope = _services.CreateAsyncScope();
        if (!_actors.TryGetValue(userName, out var actor))
        {
            var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
            actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException(userName);
            _actors.TryAdd(userName, actor);
        }
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}

/// <summary>The web host's hasher (ASP.NET Core Identity's), so the seeded demo accounts can sign in to the web host.</summary>
internal sealed class IdentityHashing : Mediation.Application.Features.Administration.IPasswordHashing
{
    private readonly Microsoft.AspNetCore.Identity.PasswordHasher<Mediation.Domain.Org.StaffMember> _hasher = new();

    public string Hash(Mediation.Domain.Org.StaffMember staff, string password) => _hasher.HashPassword(staff, password);

    public Mediation.Application.Features.Administration.PasswordCheck Check(Mediation.Domain.Org.StaffMember staff, string hash, string password) =>
        _hasher.VerifyHashedPassword(staff, hash, password) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed
            ? Mediation.Application.Features.Administration.PasswordCheck.Wrong
            : Mediation.Application.Features.Administration.PasswordCheck.Right;
}
