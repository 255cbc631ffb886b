/* Industry codes, GB/T 4754-2017 (国民经济行业分类). */
#include <string.h>

#include "book/industry.h"
#include "book/internal.h"

/* The section letter of each of the standard's 97 divisions, indexed by
 * division (index 0 is unused). Every number from 01 to 97 is a division
 * in the 2017 edition. */
static const char division_section[] =
    "-"
    "AAAAA" /* A 农、林、牧、渔业 agriculture, forestry, animal husbandry, fishery: 01-05 */
    "BBBBBBB"                         /* B 采矿业 mining: 06-12 */
    "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" /* C 制造业 manufacturing: 13-43 */
    "DDD" /* D 电力、热力、燃气及水生产和供应业 electricity, heat, gas and water: 44-46 */
    "EEEE"     /* E 建筑业 construction: 47-50 */
    "FF"       /* F 批发和零售业 wholesale and retail: 51-52 */
    "GGGGGGGG" /* G 交通运输、仓储和邮政业 transport, storage and post: 53-60 */
    "HH"       /* H 住宿和餐饮业 accommodation and catering: 61-62 */
    "III" /* I 信息传输、软件和信息技术服务业 information, software and IT services: 63-65 */
    "JJJJ" /* J 金融业 finance: 66-69 */
    "K"    /* K 房地产业 real estate: 70 */
    "LL"   /* L 租赁和商务服务业 leasing and business services: 71-72 */
    "MMM"  /* M 科学研究和技术服务业 scientific research and technical services: 73-75 */
    "NNNN" /* N 水利、环境和公共设施管理业 water, environment and public facilities: 76-79 */
    "OOO" /* O 居民服务、修理和其他服务业 resident services, repair and other services: 80-82 */
    "P"      /* P 教育 education: 83 */
    "QQ"     /* Q 卫生和社会工作 health and social work: 84-85 */
    "RRRRR"  /* R 文化、体育和娱乐业 culture, sports and entertainment: 86-90 */
    "SSSSSS" /* S 公共管理、社会保障和社会组织 public administration: 91-96 */
    "T";     /* T 国际组织 international organisations: 97 */
_Static_assert(sizeof(division_section) == 99, "divisions 01..97, index 0, and the NUL");

char book_industry_division_section(int division)
{
    if (division < 1 || division > 97)
        return '\0';
    return division_section[division];
}

/* Splits code into an optional section letter and its digits. Returns
 * SYND_OK with *letter ('\0' if none) and *digits set, after checking the
 * form: a letter A..T, then none or 2..4 digits, and nothing else. */
static synd_code split(const char *code, char *letter, const char **digits, synd_status *st)
{
    size_t len = strnlen(code, BOOK_INDUSTRY_MAX);

    *letter = code[0] >= 'A' && code[0] <= 'Z' ? code[0] : '\0';
    *digits = code + (*letter != '\0');
    size_t nd = len - (*letter != '\0');
    if (len == 0 || len >= BOOK_INDUSTRY_MAX || (*letter != '\0' && *letter > 'T'))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "industry code must be a section letter A-T, a 2-4 digit code, or "
                               "both, like C3011 (rule: GB/T 4754-2017 industry code)");
    for (size_t i = 0; i < nd; i++) {
        if ((*digits)[i] < '0' || (*digits)[i] > '9')
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "industry code %s is not a section letter A-T followed by "
                                   "digits (rule: GB/T 4754-2017 industry code)",
                                   code);
    }
    if (nd == 1 || nd > 4 || (*letter == '\0' && nd == 0))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "industry code %s has %zu digit%s; a division has 2, a group 3, "
                               "a class 4 (rule: GB/T 4754-2017 industry code)",
                               code, nd, nd == 1 ? "" : "s");
    return SYND_OK;
}

/* The section letter a valid code belongs to, checking that the division
 * exists and agrees with a letter written before it. */
static synd_code section_of(const char *code, char *section, synd_status *st)
{
    char letter;
    const char *digits;
    synd_code rc = split(code, &letter, &digits, st);

    if (rc != SYND_OK)
        return rc;
    if (digits[0] == '\0') {
        *section = letter;
        return SYND_OK;
    }
    int division = (digits[0] - '0') * 10 + (digits[1] - '0');
    *section = book_industry_division_section(division);
    if (*section == '\0')
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "industry code %s names division %02d; GB/T 4754-2017 has "
                               "divisions 01-97 (rule: GB/T 4754-2017 industry code)",
                               code, division);
    if (letter != '\0' && letter != *section)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "industry code %s: division %02d is in section %c, not %c (rule: "
                               "GB/T 4754-2017 industry code)",
                               code, division, *section, letter);
    return SYND_OK;
}

synd_code book_industry_check(const char *code, synd_status *st)
{
    char section;

    return section_of(code, &section, st);
}

synd_code book_industry_normalize(const char *code, char out[BOOK_INDUSTRY_MAX], synd_status *st)
{
    char section;
    synd_code rc = section_of(code, &section, st);

    if (rc != SYND_OK)
        return rc;
    out[0] = section;
    /* Copy the digits after any letter; split() bounded their length. */
    strcpy(out + 1, code + (code[0] == section));
    return SYND_OK;
}

bool book_industry_matches(const char *filter, const char *code)
{
    char f[BOOK_INDUSTRY_MAX], c[BOOK_INDUSTRY_MAX];
    synd_status st;

    if (book_industry_normalize(filter, f, &st) != SYND_OK ||
        book_industry_normalize(code, c, &st) != SYND_OK)
        return false;
    return strncmp(f, c, strlen(f)) == 0;
}
