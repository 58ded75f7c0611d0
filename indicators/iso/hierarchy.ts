// The first- and second-level structure of ISO/IEC 30146:2019 (clause 7), with names and sections.
// Third-level indicators attach to a second-level group by id (`L1.1.1` → `L1.1`), see iso30146.ts.

export type IndicatorNature = 'performance' | 'capability';

export interface FirstLevelGroup {
  readonly id: string;
  readonly section: string;
  readonly name: string;
  /** L1-L3 measure what the city achieves, L4-L6 what it is able to do. */
  readonly nature: IndicatorNature;
}

export interface SecondLevelGroup {
  readonly id: string;
  readonly section: string;
  readonly name: string;
  readonly firstLevel: string;
}

export interface IsoHierarchy {
  readonly firstLevel: readonly FirstLevelGroup[];
  readonly secondLevel: readonly SecondLevelGroup[];
}

export const FIRST_LEVEL: readonly FirstLevelGroup[] = [
  { id: 'L1', section: '7.1', name: 'Citizen service', nature: 'performance' },
  { id: 'L2', section: '7.2', name: 'Efficient governance', nature: 'performance' },
  { id: 'L3', section: '7.3', name: 'Liveable environment', nature: 'performance' },
  { id: 'L4', section: '7.4', name: 'Smart facility', nature: 'capability' },
  { id: 'L5', section: '7.5', name: 'Information resource', nature: 'capability' },
  { id: 'L6', section: '7.6', name: 'Cyber security', nature: 'capability' },
];

const group = (id: string, section: string, name: string): SecondLevelGroup => ({
  id,
  section,
  name,
  firstLevel: id.split('.')[0],
});

export const SECOND_LEVEL: readonly SecondLevelGroup[] = [
  group('L1.1', '7.1.1', 'E-government service'),
  group('L1.2', '7.1.2', 'Transportation service'),
  group('L1.3', '7.1.3', 'Social insurance service'),
  group('L1.4', '7.1.4', 'Medical service'),
  group('L1.5', '7.1.5', 'Education service'),
  group('L1.6', '7.1.6', 'Employment service'),
  group('L1.7', '7.1.7', 'City public service'),
  group('L1.8', '7.1.8', 'Service for poor and disabled people'),
  group('L1.9', '7.1.9', 'E-commerce service'),
  group('L2.1', '7.2.1', 'City management'),
  group('L2.2', '7.2.2', 'Public safety'),
  group('L3.1', '7.3.1', 'Environmental protection'),
  group('L3.2', '7.3.2', 'Green energy and energy efficiency'),
  group('L4.1', '7.4.1', 'Network infrastructure'),
  // The standard numbers the city-model indicators L4.3.x although they sit in section 7.4.2.
  group('L4.3', '7.4.2', 'City model'),
  group('L5.1', '7.5.1', 'Open data and data sharing'),
  group('L5.2', '7.5.2', 'Exploitation and utilization'),
  group('L6.1', '7.6.1', 'Network security management'),
  // Named in 7.6 but with no indicators in our copy: cities add their own (parseIsoIndicators).
  group('L6.2', '7.6.2', 'System and data security'),
];

export const ISO_HIERARCHY: IsoHierarchy = { firstLevel: FIRST_LEVEL, secondLevel: SECOND_LEVEL };
