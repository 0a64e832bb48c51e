/*
 * test_ocds_validate: the types and values of the SPEC § 2 extension fields (booleans,
 * numbers and shares, enumerations, arrays and objects, strings), nulls as removals, and a
 * release that uses every extension field.
 */
#include "ocds.h"
#include "test.h"
#include "test_json.h"

static void test_validate_booleans(void)
{
    CHECK(refused("t.json",
                  REL(",'parties':[{'id':'s','details':{'approvedApprenticeCompany':'yes'}}]"),
                  "parties[0].details.approvedApprenticeCompany: expected true or false, found "
                  "string"));
    CHECK(refused("t.json", REL(",'awards':[{'id':'a','unsuccessfulNotified':1}]"),
                  "awards[0].unsuccessfulNotified: expected true or false, found number"));
    CHECK(refused("t.json", REL(",'tender':{'quoteRequests':[{'id':'1','responded':'no'}]}"),
                  "tender.quoteRequests[0].responded"));
}

static void test_validate_numbers_and_shares(void)
{
    CHECK(refused("t.json", REL(",'tender':{'apprenticeRequirement':{'minShareOfHours':10}}"),
                  "tender.apprenticeRequirement.minShareOfHours: 10 is not a share from 0 to 1"));
    CHECK(refused("t.json", REL(",'tender':{'inclusiveRequirement':{'minShareOfStaff':-0.1}}"),
                  "tender.inclusiveRequirement.minShareOfStaff: -0.1 is negative"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','implementation':{'hourReports':["
                      "{'id':'1','totalHours':10},{'id':'2','totalHours':10},"
                      "{'id':'3','totalHours':-1}]}}]"),
                  "t.json (ocid ocds-x-1): contracts[0].implementation.hourReports[2].totalHours: "
                  "-1 is negative"));
    CHECK(refused("t.json",
                  REL(",'tender':{'awardCriteriaWeights':[{'type':'price',"
                      "'weight':'70'}]}"),
                  "tender.awardCriteriaWeights[0].weight: expected a number, found string"));
    CHECK(accepted(REL(",'tender':{'apprenticeRequirement':{'minShareOfHours':0.1},"
                       "'skilledWorkerRequirement':{'minShareOfHours':1}}")));
}

static void test_validate_enums(void)
{
    CHECK(refused("t.json", REL(",'tender':{'procedureType':'openn'}"),
                  "tender.procedureType: \"openn\" is not one of open, restricted, negotiated, "
                  "dialogue, innovationPartnership, negotiatedWithoutNotice or direct"));
    CHECK(refused("t.json", REL(",'tender':{'mainProcurementCategory':'consultingServices'}"),
                  "tender.mainProcurementCategory"));
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c','signatureMethod':'fax'}]"),
                  "contracts[0].signatureMethod: \"fax\" is not one of electronic or paper"));
    CHECK(refused("t.json", REL(",'tender':{'awardCriteriaWeights':[{'type':'cost'}]}"),
                  "tender.awardCriteriaWeights[0].type: \"cost\""));
    CHECK(refused("t.json", REL(",'tender':{'notices':[{'platform':'mercell'}]}"),
                  "tender.notices[0].platform: \"mercell\""));
    CHECK(refused("t.json", REL(",'tender':{'climateException':{'reason':'tooExpensive'}}"),
                  "tender.climateException.reason: \"tooExpensive\""));
    CHECK(refused("t.json", REL(",'parties':[{'id':'s','details':{'scale':'small'}}]"),
                  "parties[0].details.scale: \"small\" is not one of sme or large"));
    CHECK(refused("t.json", REL(",'tender':{'procedureType':1}"),
                  "tender.procedureType: expected one of open,"));
    /* `type` elsewhere is not an award criterion */
    CHECK(accepted(REL(",'tender':{'milestones':[{'id':'m','type':'delivery'}]}")));
}

static void test_validate_arrays_and_objects(void)
{
    CHECK(refused("t.json", REL(",'parties':{'id':'b'}"),
                  "(ocid ocds-x-1): parties: expected an array of objects, found object"));
    CHECK(refused("t.json", REL(",'tender':{'items':{'id':'1'}}"),
                  "tender.items: expected an "
                  "array"));
    CHECK(refused("t.json", REL(",'bids':{'details':{}}"), "bids.details: expected an array"));
    CHECK(refused("t.json", REL(",'tender':{'submissionMethod':'electronicSubmission'}"),
                  "tender.submissionMethod: expected an array of strings, found string"));
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c','implementation':{'hourReports':{}}}]"),
                  "contracts[0].implementation.hourReports: expected an array"));
    CHECK(refused("t.json", REL(",'tender':'big job'"),
                  "tender: expected an object, found "
                  "string"));
    /* parties[].details is an object, bids.details an array */
    CHECK(accepted(REL(",'parties':[{'id':'s','details':{'scale':'sme'}}],'bids':{'details':[]}")));
}

static void test_validate_strings(void)
{
    CHECK(refused("t.json",
                  REL(",'tender':{'reservedAssessment':{'suitable':false,"
                      "'justification':42}}"),
                  "tender.reservedAssessment.justification: expected a string, found number"));
    CHECK(refused("t.json", REL(",'tender':{'negotiationJustification':true}"),
                  "tender.negotiationJustification: expected a string, found boolean"));
}

/* Lists the rules walk hold objects; a number in one made the rules raise (issue 6). */
static void test_validate_list_elements(void)
{
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c'},7]"),
                  "contracts[1]: expected an object, found number"));
    CHECK(refused("t.json", REL(",'tender':{'notices':[true]}"),
                  "tender.notices[0]: expected an object, found boolean"));
    CHECK(refused("t.json", REL(",'tender':{'documents':['protocol.pdf']}"),
                  "tender.documents[0]: expected an object, found string"));
    CHECK(refused("t.json", REL(",'tender':{'quoteRequests':[1]}"), "tender.quoteRequests[0]"));
    CHECK(refused("t.json", REL(",'tender':{'awardCriteriaWeights':[50]}"),
                  "tender.awardCriteriaWeights[0]: expected an object"));
    CHECK(refused("t.json", REL(",'bids':{'details':[[]]}"),
                  "bids.details[0]: expected an object, found array"));
    CHECK(refused("t.json", REL(",'bids':{'details':[{'id':'b','tenderers':5}]}"),
                  "bids.details[0].tenderers: expected an array of objects, found number"));
    CHECK(refused("t.json", REL(",'tender':{'tenderers':['Snekker AS']}"),
                  "tender.tenderers[0]: expected an object, found string"));
    CHECK(refused("t.json", REL(",'awards':[{'id':'a','suppliers':[null]}]"),
                  "awards[0].suppliers[0]: expected an object, found null"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','implementation':{'hourReports':[{'id':'1'},1]}}]"),
                  "contracts[0].implementation.hourReports[1]: expected an object"));
    CHECK(refused("t.json", REL(",'tender':{'otherRequirements':{'reservedParticipation':[true]}}"),
                  "tender.otherRequirements.reservedParticipation[0]: expected a string, found "
                  "boolean"));
    CHECK(refused("t.json", REL(",'tender':{'submissionMethod':[{}]}"),
                  "tender.submissionMethod[0]: expected a string, found object"));
    CHECK(refused("t.json", REL(",'tender':{'quoteRequests':[{'id':'q','supplier':'Snekker'}]}"),
                  "tender.quoteRequests[0].supplier: expected an object, found string"));
    CHECK(refused("t.json", REL(",'tender':{'items':[{'id':'1','classification':'45210000'}]}"),
                  "tender.items[0].classification: expected an object, found string"));
    CHECK(accepted(REL(",'tender':{'tenderers':[],'items':[{'id':'1','classification':"
                       "{'scheme':'CPV','id':45210000}}]},'contracts':[]")));
}

/* Texts, counts and periods the rules read, and full-time exceptions (text or a list). */
static void test_validate_read_texts_and_counts(void)
{
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','template':{'standard':true,'name':true}}]"),
                  "contracts[0].template.name: expected a string, found boolean"));
    CHECK(refused("t.json", REL(",'tender':{'title':42}"),
                  "tender.title: expected a string, found number"));
    CHECK(refused("t.json", REL(",'awards':[{'id':'a','status':{}}]"),
                  "awards[0].status: expected a string, found object"));
    CHECK(refused("t.json", REL(",'parties':[{'id':'b','name':['Bergen']}]"),
                  "parties[0].name: expected a string, found array"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','implementation':{'hourReports':[{'id':'1',"
                      "'trade':7}]}}]"),
                  "hourReports[0].trade: expected a string, found number"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','implementation':{'hourReports':[{'id':'1',"
                      "'period':202406}]}}]"),
                  "hourReports[0].period: expected a period"));
    CHECK(refused("t.json", REL(",'tender':{'numberOfTenderers':'3'}"),
                  "tender.numberOfTenderers: expected a number, found string"));
    CHECK(refused("t.json", REL(",'tender':{'contractPeriod':{'durationInDays':1e300}}"),
                  "tender.contractPeriod.durationInDays: 1e+300 is not a number of days"));
    CHECK(refused("t.json", REL(",'tender':{'contractPeriod':{'durationInDays':-1}}"),
                  "durationInDays: -1 is not a number of days"));
    CHECK(refused("t.json", REL(",'tender':{'procurementMethodRationale':1}"),
                  "tender.procurementMethodRationale: expected a string"));
    CHECK(refused("t.json", REL(",'tender':{'documents':[{'id':'d','documentType':1}]}"),
                  "tender.documents[0].documentType: expected a string"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','fullTimeDocumentation':{'exceptions':5}}]"),
                  "contracts[0].fullTimeDocumentation.exceptions: expected a text or an array"));
    CHECK(refused("t.json",
                  REL(",'contracts':[{'id':'c','fullTimeDocumentation':{'exceptions':['a',1]}}]"),
                  "fullTimeDocumentation.exceptions[1]: expected a string or an object, found "
                  "number"));
    CHECK(accepted(REL(",'contracts':[{'id':'c','fullTimeDocumentation':{'exceptions':"
                       "['Sesong',{'description':'Vikar'}]},'implementation':{'hourReports':["
                       "{'id':'1','period':'2024-06'},{'id':'2','period':{'startDate':"
                       "'2024-07-01'}}]}}],'tender':{'numberOfTenderers':3,'contractPeriod':"
                       "{'durationInDays':730}}")));
    CHECK(accepted(REL(",'contracts':[{'id':'c','fullTimeDocumentation':{'exceptions':"
                       "'Ingen unntak'}}]")));
}

static void test_validate_nulls_allowed(void)
{
    CHECK(accepted(REL(",'tender':{'value':{'amount':null,'currency':null},"
                       "'procedureType':null,'items':null,'tenderPeriod':{'endDate':null}},"
                       "'parties':null,'awards':[{'id':'a','unsuccessfulNotified':null}]")));
}

static void test_validate_full_extension_release(void)
{
    CHECK(accepted(
        "{'ocid':'ocds-b5fd17-4601-2024-17','id':'4601-2024-17-03','date':'2024-05-02T09:00:00+02:"
        "00',"
        "'tag':['award','awardUpdate'],"
        "'buyer':{'id':'b','name':'Bergen kommune'},"
        "'parties':[{'id':'b','name':'Bergen kommune','roles':['buyer'],"
        "  'identifier':{'scheme':'NO-BRC','id':'964338531'},"
        "  'details':{'municipalityCode':'4601'}},"
        " {'id':'s','name':'Snekker AS','roles':['supplier','tenderer'],"
        "  'identifier':{'scheme':'NO-BRC','id':'974760673'},"
        "  'additionalIdentifiers':[{'scheme':'NO-BRC','id':'938644500'}],"
        "  'details':{'municipalityCode':'4631','scale':'sme','approvedApprenticeCompany':true,"
        "   'shelteredWorkshop':false}}],"
        "'planning':{'budget':{'amount':{'amount':2000000,'currency':'NOK'}}},"
        "'tender':{'id':'t','status':'complete','mainProcurementCategory':'works',"
        "  'procedureType':'negotiated','negotiationJustification':'FOA 13-2 (1) bokstav a',"
        "  'value':{'amount':1800000,'currency':'NOK'},"
        "  'tenderPeriod':{'startDate':'2024-02-01','endDate':'2024-03-01T12:00:00Z'},"
        "  'contractPeriod':{'startDate':'2024-06-01','endDate':'2026-05-31'},"
        "  'items':[{'id':'1','classification':{'scheme':'CPV','id':'45210000'}}],"
        "  'notices':[{'platform':'doffin','id':'2024-100','datePublished':'2024-02-01'},"
        "             {'platform':'ted','id':'2024/S 1','datePublished':'2024-02-02'}],"
        "  'quoteRequests':[{'id':'q','supplier':{'id':'s','name':'Snekker AS'},"
        "    'date':'2024-01-15','responded':true}],"
        "  'reservedAssessment':{'suitable':false,'justification':'Ingen egnede leverandorer',"
        "    'date':'2024-01-10'},"
        "  'inclusiveAssessment':{'suitable':true,'justification':'Egnet for inkludering','date':"
        "    '2024-01-10'},"
        "  'otherRequirements':{'reservedParticipation':['shelteredWorkshop']},"
        "  'inclusiveRequirement':{'minShareOfStaff':0.05,'description':'x'},"
        "  'apprenticeRequirement':{'required':true,'minShareOfHours':0.1,'perTrade':true},"
        "  'skilledWorkerRequirement':{'minShareOfHours':0.5},"
        "  'awardCriteriaWeights':[{'type':'price','name':'Pris','weight':60},"
        "    {'type':'climateEnvironment','name':'Klima','weight':30},"
        "    {'type':'quality','name':'Kvalitet','weight':10}],"
        "  'climateException':null,"
        "  'marketDialogue':{'held':true,'date':'2023-12-01'},"
        "  'documents':[{'id':'d','documentType':'procurementProtocol'}],"
        "  'techniques':{'hasFrameworkAgreement':false},"
        "  'submissionMethod':['electronicSubmission'],"
        "  'localQuotesJustification':'Ikke relevant'},"
        "'bids':{'details':[{'id':'bid1','date':'2024-02-20','status':'valid',"
        "  'tenderers':[{'id':'s','name':'Snekker AS'}],'value':{'amount':1750000,'currency':"
        "  'NOK'}}]},"
        "'awards':[{'id':'a','status':'active','date':'2024-04-01','unsuccessfulNotified':true,"
        "  'value':{'amount':1750000,'currency':'NOK'},'suppliers':[{'id':'s'}]}],"
        "'contracts':[{'id':'c','awardID':'a','status':'pending','dateSigned':'2024-05-01',"
        "  'signatureMethod':'electronic','contractManager':{'id':'m','name':'Kari'},"
        "  'template':{'standard':true,'name':'Bergen standard'},"
        "  'fullTimeDocumentation':{'documented':true,'exceptions':[]},"
        "  'period':{'startDate':'2024-06-01','endDate':'2026-05-31'},"
        "  'implementation':{'hourReports':[{'id':'h1','period':'2024-06','trade':'tomrer',"
        "    'totalHours':1000,'apprenticeHours':120,'skilledHours':600,'hiredHours':0}]}}]}"));
}

static const test_case tests[] = {
    {"validate_booleans", test_validate_booleans},
    {"validate_numbers_and_shares", test_validate_numbers_and_shares},
    {"validate_enums", test_validate_enums},
    {"validate_arrays_and_objects", test_validate_arrays_and_objects},
    {"validate_strings", test_validate_strings},
    {"validate_list_elements", test_validate_list_elements},
    {"validate_read_texts_and_counts", test_validate_read_texts_and_counts},
    {"validate_nulls_allowed", test_validate_nulls_allowed},
    {"validate_full_extension_release", test_validate_full_extension_release},
};

TEST_MAIN(tests)
