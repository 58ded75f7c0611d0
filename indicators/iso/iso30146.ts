// Every third-level indicator of ISO/IEC 30146:2019 as data, and the loader for cities' own indicators in
// the same form (e.g. cyber security, 7.6, which our copy of the standard leaves out).
import { z } from 'zod';
import { ISO_HIERARCHY, type IsoHierarchy } from './hierarchy.js';
import { type MethodInput, MethodSchema } from './methods.js';
import { type Checked, type InputProblem, zodProblems } from './problems.js';

export const IsoIndicatorSchema = z.strictObject({
  id: z.string().regex(/^L\d+\.\d+\.\d+$/, 'a third-level number such as "L6.2.1"'),
  name: z.string().min(1),
  /** The measurement method in the standard's words, shortened. */
  description: z.string().min(1),
  /** The clause of the standard (`7.1.1`); the second-level group's own. */
  section: z.string().regex(/^\d+\.\d+\.\d+$/, 'a clause number such as "7.6.2"'),
  secondLevel: z.string().regex(/^L\d+\.\d+$/, 'a second-level number such as "L6.2"'),
  method: MethodSchema,
  /** `live`: the engine computes it from devices (docs/contract.md §4); `administrative`: entered per period. */
  source: z.enum(['live', 'administrative']),
});
export type IsoIndicator = z.infer<typeof IsoIndicatorSchema>;
export type IsoIndicatorInput = z.input<typeof IsoIndicatorSchema>;

type Term = readonly [name: string, description: string];
const term = ([name, description]: Term) => ({ name, description });
const ratio = (numerator: Term, denominator: Term) => ({
  method: 'ratio' as const,
  numerator: term(numerator),
  denominator: term(denominator),
});
const ratioPart = (part: string, weight: number, numerator: Term, denominator: Term) =>
  ({ kind: 'ratio', part, weight, numerator: term(numerator), denominator: term(denominator) }) as const;
const each = (points: number, criteria: readonly Term[]): MethodInput => ({
  method: 'points',
  criteria: criteria.map(([name, description]) => ({ name, description, points })),
});

function indicator(
  id: string,
  name: string,
  description: string,
  method: MethodInput,
  source: 'live' | 'administrative' = 'administrative',
): IsoIndicatorInput {
  const secondLevel = id.split('.').slice(0, 2).join('.');
  const section = ISO_HIERARCHY.secondLevel.find((g) => g.id === secondLevel)?.section ?? '?';
  return { id, name, description, section, secondLevel, method, source };
}

const GOVERNMENT_SERVICES: Term = ['governmentServices', 'total number of government services'];
const PERMANENT_RESIDENTS: Term = ['permanentResidents', 'number of permanent residents'];
const CITIZENS: Term = ['citizens', 'total number of citizens in the city'];
const SCHOOLS: Term = ['schools', 'total number of schools'];
const TREATMENTS: Term = [
  'treatmentsPerYear',
  'annual number of treatments provided by medical institutions',
];
const CAMERAS_KEY_PUBLIC: Term = ['camerasInKeyPublicAreas', 'number of CCTV cameras in key public areas'];
const CAMERAS_KEY_INDUSTRY: Term = [
  'camerasInKeyIndustryAreas',
  'number of CCTV cameras installed in key industry and field areas related to public security',
];
const ONLINE_CHANNELS: readonly Term[] = [
  ['webSites', 'service offered through web sites'],
  ['selfServiceMachines', 'service offered through self-service machines'],
  ['mobileApps', 'service offered through apps on cell phones'],
  ['hotlineAndSms', 'service offered through a hotline and short messages'],
];

const STANDARD: readonly IsoIndicatorInput[] = [
  // 7.1.1 E-government service
  indicator(
    'L1.1.1',
    'Percentage of one-stop government services',
    '(one-stop government services / government services) × 100',
    ratio(['oneStopServices', 'number of one-stop government services'], GOVERNMENT_SERVICES),
  ),
  indicator(
    'L1.1.2',
    'Percentage of government services which can be solved via single sign in',
    '(government services accessible via a single web portal / government services) × 100',
    ratio(
      ['singlePortalServices', 'number of government services accessible via a single web portal'],
      GOVERNMENT_SERVICES,
    ),
  ),
  indicator(
    'L1.1.3',
    'Implementation of electronic or digital signature',
    '(government services or departments using digital signatures / government services in the city) × 100',
    ratio(
      ['digitallySignedServices', 'number of government services or departments using digital signatures'],
      ['governmentServices', 'total number of government services in the city'],
    ),
  ),
  indicator(
    'L1.1.4',
    'Percentage of citizen service requests which can be processed appropriately by government',
    '(citizen requests processed correctly / citizen requests, by phone, e-mail, social media or apps) × 100',
    ratio(
      ['requestsProcessedCorrectly', 'number of citizen requests processed correctly'],
      ['citizenRequests', 'total number of citizen requests'],
    ),
  ),
  // 7.1.2 Transportation service
  indicator(
    'L1.2.1',
    'Release of operation information of public transportation services',
    'b1 + b2 + b3: b1 = 60 if public transport information is open, including real-time status; b2 = 20 if ' +
      'published through at least one of e-boards, TV, broadcasting, apps; b3 = 20 if it covers second-tier ' +
      'main roads and above',
    {
      method: 'scheme',
      parts: [
        {
          kind: 'flag',
          part: 'b1',
          input: 'realTimeInformationOpen',
          description: 'whether public transport information, including real-time status, is open',
          points: 60,
        },
        {
          kind: 'flag',
          part: 'b2',
          input: 'informationOnPublicChannels',
          description: 'whether it is published through at least one of e-boards, TV, broadcasting, apps',
          points: 20,
        },
        {
          kind: 'flag',
          part: 'b3',
          input: 'coversSecondTierMainRoads',
          description: 'whether it covers second-tier main roads and above',
          points: 20,
        },
      ],
    },
  ),
  indicator(
    'L1.2.2',
    'Percentage of available forecasting information of public vehicles',
    '(public transport routes with real-time arrival forecasts / public transport routes) × 100',
    ratio(
      ['routesWithArrivalForecasts', 'number of public transport routes with real-time arrival forecasts'],
      ['transitRoutes', 'total number of public transport routes'],
    ),
    'live',
  ),
  indicator(
    'L1.2.3',
    'Percentage of e-payment used in public vehicles',
    '(average daily public transport trips paid electronically / average daily public transport trips) × 100',
    ratio(
      ['dailyTripsPaidElectronically', 'average number of public transport trips per day using e-payment'],
      ['dailyTrips', 'average number of public transport trips per day'],
    ),
  ),
  // 7.1.3 Social insurance service
  indicator(
    'L1.3.1',
    'Online social insurance service',
    '25 points for each channel: web sites, self-service machines, cell phone apps, hotline and short messages',
    each(25, ONLINE_CHANNELS),
  ),
  indicator(
    'L1.3.2',
    'Percentage of communities supporting self-service for social insurance services',
    '(communities supporting social insurance self-service / residential communities) × 100',
    ratio(
      ['selfServiceCommunities', 'number of communities supporting self-service for social insurance'],
      ['residentialCommunities', 'total number of residential communities'],
    ),
  ),
  indicator(
    'L1.3.3',
    'Degree of social insurance services which are available across the city',
    '25 points for each service available across the city: relationship transfer, authentication, medical ' +
      'account balance, social security status inquiry and comparison',
    each(25, [
      ['relationshipTransfer', 'social insurance relationship transfer available across the city'],
      ['authentication', 'social insurance authentication available across the city'],
      ['medicalAccountBalance', 'balance of medical service accounts available across the city'],
      ['statusInquiry', 'social security status inquiry and comparison available across the city'],
    ]),
  ),
  // 7.1.4 Medical service
  indicator(
    'L1.4.1',
    'Percentage of medical institutions that have established e-medical records',
    '(medical institutions with e-medical records / medical institutions in the city) × 100',
    ratio(
      ['institutionsWithEMedicalRecords', 'number of medical institutions with e-medical records'],
      ['medicalInstitutions', 'total number of medical institutions in the city'],
    ),
  ),
  indicator(
    'L1.4.2',
    'Percentage of treatment appointment of medical services institutions',
    '(annual appointed treatments / annual treatments) × 100',
    ratio(['appointedTreatmentsPerYear', 'annual number of appointed treatments'], TREATMENTS),
  ),
  indicator(
    'L1.4.3',
    'Percentage of e-health records usage',
    '(annual treatments using e-health records / annual treatments) × 100',
    ratio(
      ['treatmentsWithEHealthRecordsPerYear', 'annual number of treatments using e-health records'],
      TREATMENTS,
    ),
  ),
  indicator(
    'L1.4.4',
    'Coverage rate of community e-health services',
    '(citizens who can access e-health services / citizens) × 100',
    ratio(['citizensWithEHealthAccess', 'number of citizens who can access e-health services'], CITIZENS),
  ),
  indicator(
    'L1.4.5',
    'Proportion of electronic health records archived, used and shared',
    '(citizens who have e-health records / citizens) × 100',
    ratio(['citizensWithEHealthRecords', 'number of citizens who have e-health records'], CITIZENS),
  ),
  // 7.1.5 Education service
  indicator(
    'L1.5.1',
    'Percentage of classrooms with multimedia equipment, such as TVs, projectors and so on',
    '(schools with multimedia equipment in each classroom / schools) × 100',
    ratio(
      ['schoolsWithMultimedia', 'number of schools with multimedia equipment in each classroom'],
      SCHOOLS,
    ),
  ),
  indicator(
    'L1.5.2',
    'Percentage of schools with wireless access',
    '(schools providing on-campus wireless network access / schools) × 100',
    ratio(['schoolsWithWireless', 'number of schools providing on-campus wireless network access'], SCHOOLS),
  ),
  // 7.1.6 Employment service
  indicator(
    'L1.6.1',
    'Coverage rate of population having access to employment information service',
    '(unemployed people with access to employment information / recorded unemployed people) × 100',
    ratio(
      ['unemployedWithInformation', 'number of unemployed people able to access employment information'],
      ['recordedUnemployed', 'recorded number of unemployed people'],
    ),
  ),
  indicator(
    'L1.6.2',
    'Usage of online delivery of employment services',
    '25 points for each channel: web sites, self-service machines, cell phone apps, hotline and short messages',
    each(25, ONLINE_CHANNELS),
  ),
  // 7.1.7 City public service
  indicator(
    'L1.7.1',
    'Provision of municipal services through mobile Internet',
    '2 points for each municipal service provided via mobile Internet (utility payment, hospital appointment, ' +
      'vehicle violation query, tickets, social security query, tax, …), at most 70',
    {
      method: 'capped-count',
      count: {
        name: 'mobileMunicipalServices',
        description: 'number of municipal services provided via mobile Internet',
      },
      pointsEach: 2,
      cap: 70,
    },
  ),
  indicator(
    'L1.7.2',
    'Usage of municipal services through mobile Internet',
    '(users of municipal services through mobile Internet / permanent residents) × 100',
    ratio(
      ['mobileServiceUsers', 'number of users of municipal services through mobile Internet'],
      PERMANENT_RESIDENTS,
    ),
  ),
  indicator(
    'L1.7.3',
    'Usage of one card/device solution',
    '10 points for each of 10 fields supported by a one card/device solution',
    each(10, [
      [
        'cityTransport',
        'one card/device used for city transport (bus, subway, light rail, ferry, taxi, public bike)',
      ],
      ['utilityBills', 'one card/device used for utility bills'],
      ['socialInsurance', 'one card/device used for social insurance services'],
      ['scenicSpots', 'one card/device used at scenic spots'],
      ['residentialCommunities', 'one card/device used in residential communities'],
      ['parkingLots', 'one card/device used for parking lot management'],
      ['supermarketPayment', 'one card/device used for supermarket payment'],
      ['floatingPopulation', 'one card/device used for floating population management'],
      ['socialEndowment', 'one card/device used for social endowment'],
      ['helpingDisabledPeople', 'one card/device used for helping disabled people'],
    ]),
  ),
  // 7.1.8 Service for poor and disabled people
  indicator(
    'L1.8.1',
    'Percentage of e-record coverage for low-income households',
    '(low-income households with e-records / low-income households) × 100',
    ratio(
      ['householdsWithERecords', 'number of low-income households with e-records'],
      ['lowIncomeHouseholds', 'total number of low-income households'],
    ),
  ),
  indicator(
    'L1.8.2',
    'Performance of Internet accessibility for disabled people',
    'b1 + b2 + b3: b1 = 50 if the main government portals support easy access for disabled people; b2 = 30, ' +
      '20 or 10 if over 90 %, 60 % or 30 % of those portals do; b3 = 20 if all top-3 media portals do, 10 if ' +
      'one does, 0 if none',
    {
      method: 'scheme',
      parts: [
        {
          kind: 'flag',
          part: 'b1',
          input: 'mainPortalsAccessible',
          description:
            'whether the municipal government main portals support easy access for disabled people',
          points: 50,
        },
        {
          // "over 90 %" etc. read strictly: exactly 30 % is not "over 30 %" and scores 0.
          kind: 'bands',
          part: 'b2',
          input: 'accessiblePortalsPercent',
          description: 'percentage of municipal government main portals with easy access for disabled people',
          min: 0,
          max: 100,
          bands: [
            { over: 90, points: 30 },
            { over: 60, points: 20 },
            { over: 30, points: 10 },
          ],
        },
        {
          // The text gives 20 for all three and 10 "when one supports"; two is not all, so it scores 10.
          kind: 'bands',
          part: 'b3',
          input: 'accessibleMediaPortals',
          description: 'how many of the top-3 main-stream media portals (by views) support easy access',
          min: 0,
          max: 3,
          integer: true,
          bands: [
            { atLeast: 3, points: 20 },
            { atLeast: 1, points: 10 },
          ],
        },
      ],
    },
  ),
  // 7.1.9 E-commerce service
  indicator(
    'L1.9.1',
    'Percentage of online retail',
    '(online retail sales / total sales) × 100',
    ratio(['onlineRetailSales', 'online retail sales'], ['totalSales', 'total retail sales']),
  ),
  indicator(
    'L1.9.2',
    'Percentage of online cross-border trading',
    '(online cross-border trading / cross-border imports and exports) × 100',
    ratio(
      ['onlineCrossBorderTrade', 'sum of online cross-border trading'],
      ['crossBorderTrade', 'total sum of cross-border imports and exports'],
    ),
  ),
  // 7.2.1 City management
  indicator(
    'L2.1.1',
    'Percentage of municipal pipe network which is under smart monitoring and management',
    '(length of municipal pipe network under IoT monitoring / length of municipal pipe network) × 100',
    ratio(
      ['monitoredPipeLengthM', 'length in metres of pipe network under smart monitoring'],
      ['pipeLengthM', 'total length in metres of the municipal pipe network'],
    ),
    'live',
  ),
  indicator(
    'L2.1.2',
    'Coverage rate of underground pipe gallery',
    '(length of underground pipe gallery / length of new road, in new urban districts, parks and development ' +
      'zones) × 100',
    ratio(
      [
        'pipeGalleryLengthM',
        'length in metres of underground pipe gallery in new districts, parks and zones',
      ],
      ['newRoadLengthM', 'length in metres of new road in new urban districts, parks and development zones'],
    ),
  ),
  // 7.2.2 Public safety
  indicator(
    'L2.2.1',
    'Collection and coverage of closed circuit television (CCTV)',
    '0,25 b1 + 0,2 b2 + 0,15 b3 + 0,25 b4 + 0,15 b5: key public areas covered, HD cameras, key industry ' +
      'areas covered, available cameras in key public areas, available cameras in key industry areas (%)',
    {
      method: 'weighted',
      parts: [
        ratioPart(
          'b1',
          0.25,
          ['keyPublicAreasCovered', 'number of key public areas with CCTV coverage'],
          ['keyPublicAreas', 'number of key public areas which should have CCTV coverage'],
        ),
        ratioPart(
          'b2',
          0.2,
          ['hdCamerasInKeyPublicAreas', 'number of HD video cameras in key public areas'],
          CAMERAS_KEY_PUBLIC,
        ),
        ratioPart(
          'b3',
          0.15,
          ['keyIndustryAreasCovered', 'number of key industry and field areas with CCTV coverage'],
          ['keyIndustryAreas', 'number of key industry and field areas which should have CCTV coverage'],
        ),
        ratioPart(
          'b4',
          0.25,
          ['availableCamerasInKeyPublicAreas', 'number of available cameras in key public areas'],
          CAMERAS_KEY_PUBLIC,
        ),
        ratioPart(
          'b5',
          0.15,
          [
            'availableCamerasInKeyIndustryAreas',
            'number of available cameras in key industry and field areas',
          ],
          CAMERAS_KEY_INDUSTRY,
        ),
      ],
    },
    'live',
  ),
  indicator(
    'L2.2.2',
    'Internet connection rate and sharing level of public security CCTV',
    '0,3 b1 + 0,2 b2 + 0,5 b3: cameras connected to the sharing platform in key public areas and in key ' +
      'industry areas (%); b3 = 100 when government departments agree on sharing video',
    {
      method: 'weighted',
      parts: [
        ratioPart(
          'b1',
          0.3,
          [
            'sharedCamerasInKeyPublicAreas',
            'number of key public area cameras connected to the sharing platform',
          ],
          CAMERAS_KEY_PUBLIC,
        ),
        ratioPart(
          'b2',
          0.2,
          [
            'sharedCamerasInKeyIndustryAreas',
            'number of key industry area cameras connected to the sharing platform',
          ],
          CAMERAS_KEY_INDUSTRY,
        ),
        {
          kind: 'flag',
          part: 'b3',
          weight: 0.5,
          input: 'sharingAgreement',
          description:
            'whether government departments have agreed on sharing public security images and video',
          points: 100,
        },
      ],
    },
    'live',
  ),
  indicator(
    'L2.2.3',
    'Public safety video footage and frame to enhance the social management ability',
    '0,5 b1 + 0,5 b2: b1 = share of investigated criminal cases assisted by CCTV; b2 = 100 when more than 4 ' +
      'departments other than public security use the video service',
    {
      method: 'weighted',
      parts: [
        ratioPart(
          'b1',
          0.5,
          ['casesAssistedByCctvPerYear', 'annual number of investigated criminal cases assisted by CCTV'],
          ['casesInvestigatedPerYear', 'total annual number of investigated criminal cases'],
        ),
        {
          kind: 'bands',
          part: 'b2',
          weight: 0.5,
          input: 'departmentsUsingVideo',
          description:
            'number of departments other than public security that use the public safety video service',
          min: 0,
          integer: true,
          bands: [{ over: 4, points: 100 }],
        },
      ],
    },
  ),
  // 7.3.1 Environmental protection
  indicator(
    'L3.1.1',
    'Online monitoring of key pollution sources',
    '(key pollution sources with automatic online monitoring / key pollution sources) × 100',
    ratio(
      ['monitoredPollutionSources', 'number of key pollution sources with automatic online monitoring'],
      ['keyPollutionSources', 'total number of key pollution sources'],
    ),
    'live',
  ),
  indicator(
    'L3.1.2',
    'Openness of environmental information from enterprises and public institutions',
    '(key pollution enterprises and institutions that open their environmental information / those within the ' +
      'jurisdiction) × 100',
    ratio(
      [
        'pollutersDisclosing',
        'number of key pollution enterprises and institutions opening their information',
      ],
      ['keyPolluters', 'number of key pollution enterprises and public institutions within the jurisdiction'],
    ),
  ),
  indicator(
    'L3.1.3',
    'Disposal rate of city environmental problems',
    '(disposed environmental incidents / reported environmental incidents) × 100',
    ratio(
      ['incidentsDisposed', 'number of disposed environmental incidents'],
      ['incidentsReported', 'number of reported environmental incidents'],
    ),
  ),
  // 7.3.2 Green energy and energy efficiency
  indicator(
    'L3.2.1',
    'Percentage of green buildings',
    '(construction area of new green buildings / construction area of new buildings) × 100',
    ratio(
      ['newGreenBuildingAreaM2', 'total construction area in m² of new green buildings'],
      ['newBuildingAreaM2', 'total construction area in m² of new buildings'],
    ),
  ),
  indicator(
    'L3.2.2',
    'Online monitoring rate of key energy-using institutions',
    '(key energy-using institutions listed for online monitoring / key energy-using institutions) × 100',
    ratio(
      ['monitoredEnergyInstitutions', 'number of key energy-using institutions under online monitoring'],
      ['keyEnergyInstitutions', 'total number of key energy-using institutions'],
    ),
    'live',
  ),
  // 7.4.1 Network infrastructure
  indicator(
    'L4.1.1',
    'Fixed broadband access ability',
    '(household fixed broadband access users / households) × 100',
    ratio(
      ['householdsWithFixedBroadband', 'number of household fixed broadband access users'],
      ['households', 'total number of households'],
    ),
  ),
  indicator(
    'L4.1.2',
    'Fiber to the home (FTTH) penetration rate',
    '(FTTH users / fixed broadband access users) × 100',
    ratio(
      ['ftthUsers', 'number of FTTH users'],
      ['fixedBroadbandUsers', 'number of fixed broadband access users'],
    ),
  ),
  indicator(
    'L4.1.3',
    'Mobile broadband access ability',
    '(3G and above mobile users / permanent residents) × 100',
    ratio(['mobileBroadbandUsers', 'number of 3G and above mobile users'], PERMANENT_RESIDENTS),
  ),
  // 7.4.2 City model
  indicator(
    'L4.3.1',
    'Online city model information available to the public',
    '(city model active users / permanent residents) × 100',
    ratio(['cityModelActiveUsers', 'number of city model active users'], PERMANENT_RESIDENTS),
  ),
  indicator(
    'L4.3.2',
    'City model geographic coverage',
    '(hectares with a sufficiently complete and accurate collection of the agreed features in the model / ' +
      'area of the city in hectares) × 100',
    ratio(
      ['modelledAreaHa', 'hectares where the agreed features are completely and accurately modelled'],
      ['cityAreaHa', 'area of the smart city in hectares'],
    ),
  ),
  indicator(
    'L4.3.3',
    'City model thematic coverage',
    'by feature type of the agreed catalogue, (feature instances in the model / real world features) × 100; ' +
      'assessed by sampling the real world',
    // "Sum by feature type … × 100" would pass 100 with two types; the mean over types keeps the hundred-mark
    // scale and weighs each type of the catalogue equally, as "by feature type" suggests.
    {
      method: 'mean-of-ratios',
      list: {
        name: 'featureTypes',
        description: 'list of feature types of the agreed catalogue, each with its counts',
      },
      numerator: 'number of feature instances of the type in the model',
      denominator: 'number of real world features of the type (sampled)',
    },
  ),
  indicator(
    'L4.3.4',
    'City model up to date',
    '(real world feature changes reflected in the model within a reasonable time for the feature type / real ' +
      'world feature changes) × 100',
    ratio(
      [
        'changesModelledInTime',
        'number of real world changes reflected in the model within a reasonable time',
      ],
      ['realWorldChanges', 'number of real world feature changes'],
    ),
  ),
  indicator(
    'L4.3.5',
    'Use of the digital model in operational processes',
    'either a) (operational city ICT systems using the city model / operational city ICT systems) × 100, or, ' +
      'where systems are more integrated, b) (operational business data objects related to city model feature ' +
      'instances / operational business data objects) × 100',
    // The city states which variant it measures; the two are not averaged, as the standard offers them as
    // alternatives for differently integrated cities.
    {
      method: 'either',
      choose: {
        name: 'variant',
        description: 'variant measured: "a" for ICT systems, "b" for business data objects',
      },
      variants: [
        {
          variant: 'a',
          description: 'share of operational city ICT systems using the city model',
          method: ratio(
            ['systemsUsingModel', 'number of operational city ICT systems which use the city model'],
            ['operationalSystems', 'total number of operational city ICT systems'],
          ),
        },
        {
          variant: 'b',
          description: 'share of operational business data objects related to city model feature instances',
          method: ratio(
            ['dataObjectsLinkedToModel', 'number of business data objects related to model features'],
            ['dataObjects', 'total number of operational business data objects'],
          ),
        },
      ],
    },
  ),
  indicator(
    'L4.3.6',
    'Use of the digital model in crisis situations',
    '(crisis management ICT systems able to use the city model / crisis management ICT systems) × 100',
    ratio(
      ['crisisSystemsUsingModel', 'number of crisis management ICT systems able to use the city model'],
      ['crisisSystems', 'total number of crisis management ICT systems'],
    ),
  ),
  indicator(
    'L4.3.7',
    'Use of the digital model in analytical processes',
    '(analytical IT systems able to use the city model / analytical IT systems) × 100',
    ratio(
      ['analyticalSystemsUsingModel', 'number of analytical IT systems able to use the city model'],
      ['analyticalSystems', 'total number of analytical IT systems'],
    ),
  ),
  indicator(
    'L4.3.8',
    'Use of the digital model in strategic processes',
    '(strategic decision support ICT systems able to use the city model / such systems) × 100',
    ratio(
      ['strategicSystemsUsingModel', 'number of strategic decision support systems able to use the model'],
      ['strategicSystems', 'total number of strategic decision support ICT systems'],
    ),
  ),
  // 7.5.1 Open data and data sharing
  indicator(
    'L5.1.1',
    'Public information resources openness ratio',
    '(categories of public information resources with an open API / categories required to be open by local ' +
      'policy) × 100',
    ratio(
      ['categoriesWithOpenApi', 'number of categories of public information resources with an open API'],
      ['categoriesRequiredOpen', 'number of categories required to be open by local policy'],
    ),
  ),
  indicator(
    'L5.1.2',
    'Information sharing ratio among government sectors',
    '(government sectors with an information resource table and a data sharing service / government sectors) × 100',
    ratio(
      ['sectorsSharingData', 'number of government sectors providing a resource table and data sharing'],
      ['governmentSectors', 'total number of government sectors'],
    ),
  ),
  // 7.5.2 Exploitation and utilization
  indicator(
    'L5.2.1',
    'Government-enterprise cooperation on information resources development',
    '10 points for each of 10 urban governance fields with 2 or more application cases',
    {
      method: 'capped-count',
      count: {
        name: 'fieldsWithTwoCases',
        description: 'number of the 10 urban governance fields with 2 or more application cases',
      },
      pointsEach: 10,
      cap: 100,
      maxCount: 10,
    },
  ),
  indicator(
    'L5.2.2',
    'Government-citizen cooperation for city promotion',
    'social monitoring feeding citizen comments into five governance fields (50 points); recommendation ' +
      'services through displays in open space (30, by citizen usage); citizen activities creating open data ' +
      'archives (20, by engagement)',
    {
      method: 'scheme',
      parts: [
        {
          kind: 'graded',
          part: '1',
          input: 'socialMonitoringPoints',
          description: 'points for social monitoring feeding citizen comments into governance (out of 50)',
          max: 50,
        },
        {
          kind: 'graded',
          part: '2',
          input: 'recommendationServicePoints',
          description: 'points for recommendation services on displays in open space, by usage (out of 30)',
          max: 30,
        },
        {
          kind: 'graded',
          part: '3',
          input: 'openDataActivityPoints',
          description: 'points for citizen activities creating open data archives, by engagement (out of 20)',
          max: 20,
        },
      ],
    },
  ),
  // 7.6.1 Network security management
  indicator(
    'L6.1.1',
    'Organization coordinating mechanism for cyber security in smart cities',
    '100 when the mechanism is an official document and both requirements (a working mechanism; ' +
      'responsibility at all levels) are fulfilled; 30 when official and one is fulfilled; otherwise 0',
    // Not a sum of parts: the standard names three cases, so the city picks the one that applies.
    {
      method: 'scheme',
      parts: [
        {
          kind: 'choice',
          part: 'mechanism',
          input: 'mechanism',
          description: 'which case applies to the cyber security coordinating mechanism',
          options: [
            {
              value: 'official-both',
              description: 'released as an official document, both requirements fulfilled',
              points: 100,
            },
            {
              value: 'official-one',
              description: 'released as an official document, one requirement fulfilled',
              points: 30,
            },
            {
              value: 'otherwise',
              description: 'not an official document, or no requirement fulfilled',
              points: 0,
            },
          ],
        },
      ],
    },
  ),
];

export interface ParseOptions {
  /** Indicators the new ones may not reuse the ids of; the standard catalogue by default. */
  readonly existing?: readonly { readonly id: string }[];
  readonly hierarchy?: IsoHierarchy;
}

/** Cross-field rules zod cannot see alone: the id, clause and second-level group agree with the hierarchy. */
function structureProblems(
  list: readonly IsoIndicator[],
  existing: readonly { readonly id: string }[],
  hierarchy: IsoHierarchy,
): InputProblem[] {
  const taken = new Set(existing.map((d) => d.id));
  const problems: InputProblem[] = [];
  list.forEach((d, i) => {
    const group = hierarchy.secondLevel.find((g) => g.id === d.secondLevel);
    if (!group) {
      const known = hierarchy.secondLevel.map((g) => g.id).join(', ');
      problems.push({
        input: `${i}.secondLevel`,
        message: `unknown second-level group '${d.secondLevel}': use one of ${known}`,
      });
    } else if (group.section !== d.section) {
      problems.push({
        input: `${i}.section`,
        message: `is ${d.section}, but ${group.id} (${group.name}) is section ${group.section}`,
      });
    }
    if (!d.id.startsWith(`${d.secondLevel}.`))
      problems.push({
        input: `${i}.id`,
        message: `'${d.id}' must be numbered under its group: ${d.secondLevel}.<n>`,
      });
    if (taken.has(d.id))
      problems.push({ input: `${i}.id`, message: `'${d.id}' is already defined: give it another number` });
    taken.add(d.id);
  });
  return problems;
}

/**
 * A city's own third-level indicators, in the catalogue's form, from JSON text or a parsed value (a list,
 * or `{ "indicators": [...] }`). Problems name the entry (`0.method.numerator.name`) and what to fix.
 */
export function parseIsoIndicators(json: unknown, options: ParseOptions = {}): Checked<IsoIndicator[]> {
  let raw = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      return {
        ok: false,
        errors: [{ input: '(top)', message: `not valid JSON: ${(err as Error).message}` }],
      };
    }
  }
  const list = Array.isArray(raw) ? raw : (raw as { indicators?: unknown } | null)?.indicators;
  if (!Array.isArray(list))
    return {
      ok: false,
      errors: [{ input: '(top)', message: 'expected a list of indicators, or { "indicators": [...] }' }],
    };
  const parsed = z.array(IsoIndicatorSchema).safeParse(list);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error) };
  const problems = structureProblems(
    parsed.data,
    options.existing ?? ISO30146_CATALOGUE,
    options.hierarchy ?? ISO_HIERARCHY,
  );
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: parsed.data };
}

function standardCatalogue(): readonly IsoIndicator[] {
  const parsed = parseIsoIndicators(STANDARD, { existing: [] });
  // Our own data: a mistake here is a bug to fix before shipping, so fail loudly at load.
  if (!parsed.ok)
    throw new Error(
      `ISO 30146 catalogue: ${parsed.errors.map((e) => `${e.input}: ${e.message}`).join('; ')}`,
    );
  return parsed.value;
}

/** Every third-level indicator of ISO/IEC 30146:2019 in our copy, in the standard's order. */
export const ISO30146_CATALOGUE: readonly IsoIndicator[] = standardCatalogue();
