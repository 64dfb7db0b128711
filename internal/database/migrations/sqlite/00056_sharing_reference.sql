-- +goose Up
-- The national list of legal gateways: those named in Annex 1 of the 2009 guide and today's equivalents.
-- without_consent says whether the gateway on its own permits sharing when consent was refused or not
-- sought; sectors lists who may rely on it ('*': any). valid_to is exclusive. Every date, sector list and
-- consent flag here is a default for the controllers' data protection officers to check: entries marked
-- "DPO: check" below rest on facts we could not verify from the sources in hand.
INSERT INTO sharing_gateways (partnership_id, code, version, name, era, summary, without_consent, sectors, valid_from, valid_to, created_at) VALUES
-- Named in 2009. CDA s115: power for any person to disclose to a relevant authority (police, local authority,
-- health, probation) where necessary or expedient for the Act's purposes. DPO: check the commencement date.
(0, 'cda_1998_s115', 1, 'Crime and Disorder Act 1998, section 115', 'seed_2009',
 'Power to disclose to a relevant authority where necessary or expedient for the purposes of the Act (including the section 17 duty to prevent crime and disorder).',
 TRUE, '*', '1998-09-30', NULL, CURRENT_TIMESTAMP),
-- OMA s14: disclosure to or from probation providers, government departments, local authorities, the YJB,
-- the Parole Board and chief officers of police, for probation purposes. DPO: check the commencement date.
(0, 'oma_2007_s14', 1, 'Offender Management Act 2007, section 14', 'seed_2009',
 'Disclosure to or from providers of probation services for the probation purposes or the management of offenders.',
 TRUE, 'probation police local_authority prison youth_justice', '2007-07-26', NULL, CURRENT_TIMESTAMP),
-- LGA 1972 s111: incidental powers of local authorities (in force from the 1974 reorganisation).
(0, 'lga_1972_s111', 1, 'Local Government Act 1972, section 111', 'seed_2009',
 'A local authority may do anything calculated to facilitate, or conducive or incidental to, the discharge of its functions.',
 TRUE, 'local_authority', '1974-04-01', NULL, CURRENT_TIMESTAMP),
-- LGA 2000 s2(1): well-being power. In England largely replaced by the general power of competence
-- (Localism Act 2011 s1) from 18 February 2012; Wales kept it until the Local Government and Elections
-- (Wales) Act 2021. Treated as not permitting sharing without consent on its own. DPO: check both dates.
(0, 'lga_2000_s2', 1, 'Local Government Act 2000, section 2 (well-being power)', 'seed_2009',
 'Power to do anything likely to promote or improve the economic, social or environmental well-being of the area.',
 FALSE, 'local_authority', '2000-10-18', '2012-02-18', CURRENT_TIMESTAMP),
-- NHS Act 2006 s251 (formerly HSCA 2001 s60): regulations (COPI 2002) that can set aside confidentiality only
-- with an approval for a specific use, which the platform cannot verify: treated as needing consent.
-- DPO: check.
(0, 'nhs_2006_s251', 1, 'National Health Service Act 2006, section 251', 'seed_2009',
 'Regulations on the processing of patient information (Control of Patient Information Regulations 2002); an approval is needed for each use.',
 FALSE, 'health', '2007-03-01', NULL, CURRENT_TIMESTAMP),
-- Common law policing purpose (MoPI): protecting life and property, preserving order, preventing offences,
-- bringing offenders to justice. valid_from is a sentinel: the power predates any record kept here.
(0, 'common_law_policing', 1, 'Common law police powers (policing purpose)', 'seed_2009',
 'Police may share for a policing purpose as defined by the Code of Practice on the Management of Police Information, after an assessment of risk.',
 TRUE, 'police', '1900-01-01', NULL, CURRENT_TIMESTAMP),
-- DPA 1998 s29: exemption for the prevention or detection of crime; the DPA 1998 was in force from
-- 1 March 2000 and repealed when the GDPR and DPA 2018 applied on 25 May 2018 (last valid day 2018-05-24).
(0, 'dpa_1998_s29', 1, 'Data Protection Act 1998, section 29 (crime exemption)', 'seed_2009',
 'Exemption from the non-disclosure provisions for the prevention or detection of crime.',
 TRUE, '*', '2000-03-01', '2018-05-25', CURRENT_TIMESTAMP),
(0, 'dpa_1998_sensitive_order', 1, 'Data Protection (Processing of Sensitive Personal Data) Order 2000, paragraphs 1 and 4', 'seed_2009',
 'Sensitive personal data without explicit consent for preventing or detecting crime (paragraph 1) or confidential counselling, advice or support (paragraph 4).',
 TRUE, '*', '2000-03-01', '2018-05-25', CURRENT_TIMESTAMP),
-- Consent of the individual: the gateway for sharing that rests on consent alone.
(0, 'consent', 1, 'Consent of the individual', 'current',
 'The individual gave informed, unambiguous consent to this sharing (UK GDPR Articles 6(1)(a) and 9(2)(a); before 25 May 2018, DPA 1998 Schedules 2 and 3).',
 FALSE, '*', '2000-03-01', NULL, CURRENT_TIMESTAMP),
-- Today's bases. The GDPR applied from 25 May 2018; the UK GDPR replaced it from 1 January 2021 with the
-- same article numbers. Public task is for public authorities, not community organisations.
(0, 'uk_gdpr_6_1_e', 1, 'UK GDPR Article 6(1)(e) (public task)', 'current',
 'Processing necessary for a task carried out in the public interest or in the exercise of official authority.',
 TRUE, 'police local_authority education health probation prison youth_justice immigration', '2018-05-25', NULL, CURRENT_TIMESTAMP),
(0, 'uk_gdpr_9_2_g', 1, 'UK GDPR Article 9(2)(g) with a DPA 2018 Schedule 1 condition', 'current',
 'Special category data for reasons of substantial public interest, meeting a Schedule 1 Part 2 condition (for example preventing or detecting unlawful acts, safeguarding of children and of individuals at risk), with an appropriate policy document.',
 TRUE, '*', '2018-05-25', NULL, CURRENT_TIMESTAMP),
(0, 'dpa_2018_sch2_crime', 1, 'DPA 2018 Schedule 2 Part 1 paragraph 2 (crime exemption)', 'current',
 'Exemption from listed provisions for the prevention or detection of crime or the apprehension or prosecution of offenders.',
 TRUE, '*', '2018-05-25', NULL, CURRENT_TIMESTAMP),
-- Part 3 is for competent authorities (DPA 2018 Schedule 7). DPO: check which partner sectors count.
(0, 'dpa_2018_part3', 1, 'DPA 2018 Part 3 (law enforcement processing)', 'current',
 'Processing by a competent authority for the law enforcement purposes, lawful and fair (s.35), adequate and not excessive (s.37), kept no longer than necessary (s.39).',
 TRUE, 'police probation prison youth_justice', '2018-05-25', NULL, CURRENT_TIMESTAMP),
-- CTSA 2015 ss.36-38 (Channel panels; partners' duty to co-operate) commenced 12 April 2015. Consent to
-- support is a separate statutory requirement (s.36(4)). DPO: check the date and the sectors (Schedule 7).
(0, 'ctsa_2015_s36_38', 1, 'Counter-Terrorism and Security Act 2015, sections 36 to 38', 'current',
 'Support for people vulnerable to being drawn into terrorism: Channel panels and the duty of partners of a panel to co-operate.',
 TRUE, 'police local_authority education health probation prison youth_justice immigration', '2015-04-12', NULL, CURRENT_TIMESTAMP),
-- Children Act 2004 ss.10-11 (co-operation to improve well-being; arrangements to safeguard). DPO: check.
(0, 'children_act_2004', 1, 'Children Act 2004 (sections 10 and 11)', 'current',
 'Co-operation to improve the well-being of children and arrangements to safeguard and promote their welfare.',
 TRUE, 'local_authority police health education probation prison youth_justice', '2005-04-01', NULL, CURRENT_TIMESTAMP),
-- Care Act 2014 (safeguarding adults: s.42 enquiries, s.45 supply of information) from 1 April 2015. DPO: check.
(0, 'care_act_2014', 1, 'Care Act 2014 (sections 42 and 45)', 'current',
 'Safeguarding adults at risk: enquiries by the local authority and supply of information to the Safeguarding Adults Board.',
 TRUE, 'local_authority health police', '2015-04-01', NULL, CURRENT_TIMESTAMP);

-- Default retention rules (months after the record's closure), for controllers to set: every row is a
-- default to review. Sources:
-- * no further action, signposted, not adopted: three years, after the Independent Review of Prevent
--   (2023) recommendation that CT Policing remove referral data for cases that did not reach Channel after
--   three years instead of six, accepted by the government;
-- * police-led, Channel exited, consent declined: six years, the MoPI review point currently used,
--   pending local policy; R (II) v MPC [2020] EWHC 2528 (Admin) warns that keeping longer without a
--   reviewed reason can be disproportionate;
-- * the disclosure ledger and consent records follow the longest case period, so that recipients can be
--   told of rectification or erasure (UK GDPR Art 19) for as long as the case exists;
-- * subject access request files: two years after completion, a common local authority practice.
INSERT INTO retention_rules (partnership_id, record_class, outcome, version, months, source, set_at) VALUES
(0, 'case', 'no_further_action', 1, 36, 'Default to review: Independent Review of Prevent (2023), three years for cases that did not reach Channel', CURRENT_TIMESTAMP),
(0, 'case', 'signposted', 1, 36, 'Default to review: Independent Review of Prevent (2023), three years for cases that did not reach Channel', CURRENT_TIMESTAMP),
(0, 'case', 'not_adopted', 1, 36, 'Default to review: Independent Review of Prevent (2023), three years for cases that did not reach Channel', CURRENT_TIMESTAMP),
(0, 'case', 'police_led', 1, 72, 'Default to review: MoPI six-year review point; see R (II) v MPC [2020]', CURRENT_TIMESTAMP),
(0, 'case', 'channel_exited', 1, 72, 'Default to review: six years pending local policy (MoPI review point); see R (II) v MPC [2020]', CURRENT_TIMESTAMP),
(0, 'case', 'consent_declined', 1, 72, 'Default to review: six years pending local policy (MoPI review point)', CURRENT_TIMESTAMP),
(0, 'disclosure', 'any', 1, 72, 'Default to review: as long as the longest case period, for UK GDPR Art 19 notices', CURRENT_TIMESTAMP),
(0, 'consent', 'any', 1, 72, 'Default to review: as long as the longest case period', CURRENT_TIMESTAMP),
(0, 'subject_access', 'any', 1, 24, 'Default to review: two years after completion, common local authority practice', CURRENT_TIMESTAMP);

-- +goose Down
DELETE FROM retention_rules WHERE partnership_id = 0;
DELETE FROM sharing_gateways WHERE partnership_id = 0;
