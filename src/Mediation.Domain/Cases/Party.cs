namespace Mediation.Domain.Cases;

/// <summary>当事人. Phone and ID number are personal information: masked on lists, never logged or put in events.</summary>
public sealed class Party
{
    private Party()
    {
        Name = "";
    }

    public Party(PartyRole role, string name, string? phone, string? idNumber, string? address)
    {
        Role = role;
        Name = name.Trim();
        Phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        IdNumber = string.IsNullOrWhiteSpace(idNumber) ? null : idNumber.Trim().ToUpperInvariant();
        Address = string.IsNullOrWhiteSpace(address) ? null : address.Trim();
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public PartyRole Role { get; private set; }
    public string Name { get; private set; }
    public string? Phone { get; private set; }
    public string? IdNumber { get; private set; }
    public string? Address { get; private set; }
}

/// <summary>Masks personal data for anyone who may see that a party exists but has no business with the details.</summary>
public static class PersonalData
{
    /// <summary>
    /// 13812345678 → *******5678, 0531-88886666 → *********6666: at most the last four digits, since a prefix (mobile
    /// carrier, landline area code) narrows the number down; a short number is masked whole.
    /// </summary>
    public static string? MaskPhone(string? phone) =>
        phone is null ? null : phone.Length < 8 ? new string('*', phone.Length) : new string('*', phone.Length - 4) + phone[^4..];

    /// <summary>370102199001011234 → 3701**********1234.</summary>
    public static string? MaskIdNumber(string? id) =>
        id is null ? null : id.Length <= 8 ? new string('*', id.Length) : id[..4] + new string('*', id.Length - 8) + id[^4..];
}
